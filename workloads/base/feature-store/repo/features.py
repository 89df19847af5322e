"""Example feature repository: customer activity features for a churn model.

Offline: parquet in the data lake (container `datasets`, prefix `features/customer_stats/`, one row per customer and
event_timestamp), under FEAST_OFFLINE_ROOT. Online: the PostgreSQL online store, filled by
`feast materialize-incremental`. The same FeatureService feeds training (get_historical_features, point-in-time
correct) and serving (the feature server's /get-online-features).
"""
import os
from datetime import timedelta

from feast import Entity, FeatureService, FeatureView, Field, FileSource
from feast.types import Float32, Int64

OFFLINE_ROOT = os.environ.get("FEAST_OFFLINE_ROOT", "/data/features")

customer = Entity(name="customer", join_keys=["customer_id"], description="A customer account")

customer_stats_source = FileSource(
    name="customer_stats",
    path=f"{OFFLINE_ROOT}/customer_stats/",
    timestamp_field="event_timestamp",
)

customer_stats = FeatureView(
    name="customer_stats",
    entities=[customer],
    ttl=timedelta(days=2),
    schema=[
        Field(name="orders_7d", dtype=Int64),
        Field(name="spend_7d", dtype=Float32),
        Field(name="support_tickets_30d", dtype=Int64),
    ],
    online=True,
    source=customer_stats_source,
    tags={"owner": "ml-platform"},
)

churn_model_v1 = FeatureService(name="churn_model_v1", features=[customer_stats])
