"""The BigQuery backend: settings, error translation, values, jobs, leases and the adapter."""

from __future__ import annotations

from warehouse.bigquery.adapter import BigQueryWarehouse
from warehouse.bigquery.lease import LEASE_MUTEX_ID
from warehouse.bigquery.settings import BigQuerySettings

__all__ = ["LEASE_MUTEX_ID", "BigQuerySettings", "BigQueryWarehouse"]
