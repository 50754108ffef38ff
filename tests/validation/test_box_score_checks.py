"""The box score adds up (SPEC §6.8), on frames small enough to read: each side's points equal its TGS line and
its minutes make a whole game; the teams each input names, repeated rows, and the TGS lines a pace reads."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from league.calendar import calendar_of
from processors.agreement import AgreementRules, agreement_facts
from validation.box_scores import box_score_checks
from validation.gate import BOX_SCORE_FACTS, block_reasons, coverage_of
from validation.inputs import games_without_box_scores, league_games
from validation.rules import GateRules
from vocabulary import BlockedBy

PLAYERS = 5  # per side: 5 × 48 minutes is a regulation game
DAY = pd.Timestamp("2023-03-01")
CALENDAR = calendar_of([{"game_date": date(2022, 10, 18), "season": 2022, "scheduled": 1, "regular": 1}])


def schedule_of(*games: tuple[str, str, str]) -> pd.DataFrame:
    """(day, away, home) per final regular-season game."""
    return pd.DataFrame(
        [
            {
                "game_id": f"{day.replace('-', '')}_{away}_{home}",
                "game_date": pd.Timestamp(day),
                "game_type": "regular",
                "away_team_abbr": away,
                "home_team_abbr": home,
                "game_status": 3,
            }
            for day, away, home in games
        ]
    )


def box_scores(schedule: pd.DataFrame, overtimes: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Whole box scores of every game: PLAYERS active per side sharing 240 + 25·k minutes, 20 points each."""
    minutes = (240.0 + 25.0 * overtimes) / PLAYERS
    pgs, tgs = [], []
    for game in schedule.itertuples():
        for team, opponent in ((game.away_team_abbr, game.home_team_abbr), (game.home_team_abbr, game.away_team_abbr)):
            pgs += [
                {
                    "game_id": game.game_id,
                    "game_date": game.game_date,
                    "player_lookup": f"{team.lower()}{slot}",
                    "universal_player_id": f"{team}-{slot}",
                    "team_abbr": team,
                    "opponent_team_abbr": opponent,
                    "player_status": "active",
                    "minutes_played": minutes,
                    "points": 20,
                }
                for slot in range(PLAYERS)
            ]
            tgs.append(
                {
                    "game_id": game.game_id,
                    "game_date": game.game_date,
                    "team_abbr": team,
                    "opponent_team_abbr": opponent,
                    "points": 20 * PLAYERS,
                    "pace": 100.0,
                }
            )
    return pd.DataFrame(pgs), pd.DataFrame(tgs)


def facts(schedule: pd.DataFrame, pgs: pd.DataFrame, tgs: pd.DataFrame) -> pd.Series:
    checks = box_score_checks(schedule, pgs, tgs, pd.DatetimeIndex([DAY]), CALENDAR)
    return checks.facts.iloc[0]


def gate(found: pd.Series, source: str = "pgs_synthetic") -> pd.Series:
    """The gate's cause and reason for one date whose only facts are the box-score ones."""
    row = found.to_frame().T.assign(
        expected_players=200,
        row_count=200,
        context_source=source,
        missing_games="",
        unfinished_games="",
        history_missing="",
        psza_rows=1,
        psza_players=1,
        psza_expected=1,
        tdza_rows=1,
        tdza_teams=1,
        tdza_expected=1,
    )
    return block_reasons(row, coverage_of(row), GateRules()).iloc[0]


TONIGHT = schedule_of(("2023-03-01", "BOS", "NYK"), ("2023-03-01", "LAL", "GSW"))


@pytest.mark.parametrize("overtimes", [0, 1, 3])
def test_a_whole_box_score_adds_up_in_regulation_and_overtime(overtimes):
    pgs, tgs = box_scores(TONIGHT, overtimes)
    found = facts(TONIGHT, pgs, tgs)
    assert list(found.index) == BOX_SCORE_FACTS and (found == "").all()


def test_rounded_minutes_within_one_minute_of_a_whole_game_still_add_up():
    pgs, tgs = box_scores(TONIGHT)
    pgs.loc[0, "minutes_played"] += 0.9
    assert facts(TONIGHT, pgs, tgs)["unbalanced_games"] == ""


def test_a_box_score_loaded_in_part_is_upstream_partial_naming_game_team_and_both_sums():
    pgs, tgs = box_scores(TONIGHT)
    partly = pgs.drop(index=pgs.index[(pgs["team_abbr"] == "BOS") & pgs["player_lookup"].isin(["bos3", "bos4"])])

    verdict = gate(facts(TONIGHT, partly, tgs))

    assert verdict["cause"] == BlockedBy.UPSTREAM_PARTIAL
    assert verdict["reason"] == "upstream_partial pgs: 20230301_BOS_NYK BOS points 60/100, minutes 144/240"


def test_points_that_differ_from_the_team_line_do_not_add_up_even_when_the_minutes_do():
    pgs, tgs = box_scores(TONIGHT)
    tgs.loc[tgs["team_abbr"] == "GSW", "points"] = 101
    assert facts(TONIGHT, pgs, tgs)["unbalanced_games"] == "20230301_LAL_GSW GSW points 100/101, minutes 240/240"


def test_a_game_without_its_tgs_line_is_upstream_missing_tgs():
    pgs, tgs = box_scores(TONIGHT)
    verdict = gate(facts(TONIGHT, pgs, tgs[tgs["team_abbr"] != "NYK"]))
    assert (
        verdict["cause"] == BlockedBy.UPSTREAM_MISSING
        and verdict["reason"] == "upstream_missing tgs: games 20230301_BOS_NYK"
    )


def test_a_team_named_differently_in_tgs_is_named_not_read_as_a_missing_line():
    pgs, tgs = box_scores(TONIGHT)
    tgs = tgs.replace({"team_abbr": {"NYK": "NYX"}, "opponent_team_abbr": {"NYK": "NYX"}})
    verdict = gate(facts(TONIGHT, pgs, tgs))
    assert verdict["cause"] == BlockedBy.UPSTREAM_PARTIAL
    assert verdict["reason"] == "upstream_partial tgs: NYK in pgs, NYX in tgs (20230301_BOS_NYK)"


def test_a_team_named_differently_in_the_box_scores_is_named_before_its_game_counts_as_missing():
    pgs, tgs = box_scores(TONIGHT)
    pgs = pgs.replace({"team_abbr": {"NYK": "NYX"}, "opponent_team_abbr": {"NYK": "NYX"}})
    verdict = gate(facts(TONIGHT, pgs, tgs).to_frame().T.assign(missing_games="20230301_BOS_NYK").iloc[0])
    assert verdict["cause"] == BlockedBy.UPSTREAM_PARTIAL
    assert verdict["reason"] == "upstream_partial pgs: NYK in schedule, NYX in pgs (20230301_BOS_NYK)"


def test_duplicate_rows_of_one_player_in_one_game_block_the_date_naming_them():
    pgs, tgs = box_scores(TONIGHT)
    listed_thrice = pd.concat([pgs, pgs[pgs["player_lookup"] == "gsw0"], pgs[pgs["player_lookup"] == "gsw0"]])
    verdict = gate(facts(TONIGHT, listed_thrice, tgs))
    assert verdict["cause"] == BlockedBy.UPSTREAM_PARTIAL
    assert verdict["reason"] == "upstream_partial pgs: duplicate rows 20230301_LAL_GSW gsw0 ×3"


def test_five_active_players_are_five_distinct_players():
    pgs, _ = box_scores(TONIGHT)
    one_player_five_times = pd.concat([pgs[pgs["team_abbr"] != "BOS"]] + [pgs[pgs["player_lookup"] == "bos0"]] * 5)
    short = games_without_box_scores(league_games(TONIGHT), one_player_five_times)
    assert short.to_dict() == {"20230301_BOS_NYK": True, "20230301_LAL_GSW": False}


# --- history: a game earlier in the season ------------------------------------------------------------
SEASON = schedule_of(*[(f"2023-02-{day:02d}", "BOS", "NYK") for day in range(1, 15)], ("2023-03-01", "BOS", "NYK"))


def test_a_history_game_that_does_not_add_up_makes_the_later_dates_history_partial():
    pgs, tgs = box_scores(SEASON)
    partly = pgs.drop(index=pgs.index[pgs["player_lookup"].eq("nyk0") & pgs["game_date"].eq("2023-02-10")])
    found = facts(SEASON, partly, tgs)
    assert found["unbalanced_games"] == "" and found["history_partial"] == "20230210_BOS_NYK"
    assert gate(found)["reason"] == "upstream_partial history: games 20230210_BOS_NYK"
    assert gate(found, source="upcg")["cause"] == ""  # a context from UPCG does not read the history


def test_tgs_lines_missing_from_the_last_ten_games_are_the_pace_history_gap():
    pgs, tgs = box_scores(SEASON)
    lagging = tgs[~(tgs["team_abbr"].eq("BOS") & tgs["game_date"].between("2023-02-12", "2023-02-14"))]
    found = facts(SEASON, pgs, lagging)
    assert found["tgs_history_missing"] == "BOS 3 games"
    verdict = gate(found)
    assert (
        verdict["cause"] == BlockedBy.UPSTREAM_MISSING
        and verdict["reason"] == "upstream_missing tgs history: BOS 3 games"
    )


def test_a_tgs_line_older_than_the_pace_window_is_not_read_and_not_gated():
    pgs, tgs = box_scores(SEASON)
    assert facts(SEASON, pgs, tgs[tgs["game_date"] != pd.Timestamp("2023-02-01")])["tgs_history_missing"] == ""


def test_the_agreement_audit_never_blames_upcg_for_a_pace_read_from_incomplete_team_lines():
    pgs, tgs = box_scores(SEASON)
    checks = box_score_checks(
        SEASON, pgs, tgs[tgs["game_date"] < pd.Timestamp("2023-02-10")], pd.DatetimeIndex([DAY]), CALENDAR
    )
    compared = pgs[pgs["game_date"] == DAY].reset_index(drop=True)
    upcg = pd.DataFrame(
        {
            "days_rest": 15,
            "back_to_back": False,
            "games_in_last_7_days": 0,
            "minutes_in_last_7_days": 0.0,
            "back_to_backs_last_14_days": 0,
            "avg_usage_rate_last_7_games": np.nan,
            "pace_differential": 0.0,
        },
        index=compared.index,
    )
    built_from_gaps = upcg.assign(pace_differential=4.0)  # what a pace over the lines present would say

    agreement = agreement_facts(
        compared,
        upcg,
        built_from_gaps,
        pd.Series("", index=pd.DatetimeIndex([DAY])),
        AgreementRules(),
        {"pace_differential": checks.pace_incomplete(compared)},
    )

    day = agreement.iloc[0]
    assert day["agreement_checked"] == 2 * PLAYERS and day["agreement_disagreeing"] == 0 and not day["upcg_stale"]
    assert day["agreement_note"] == "pace_differential not compared for 10 (box-score inputs incomplete)"
