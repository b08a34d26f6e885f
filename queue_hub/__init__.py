"""The province hub: every centre's event log in one PostgreSQL, the projections its
reports read, province staff and the centres' tokens (issue #16).

It never imports `queue_server` (nor the reverse): a centre's shipper and the hub speak
`queue_core.protocol`'s `Shipment` and `ShipmentAck`. Only `queue_hub.store` touches
PostgreSQL.
"""
