"""The pure heart of motcua: model, numbering, call policy and wire protocol.

Nothing here reads the clock, touches a file, a socket or a database: callers pass
the current time (see `queue_core.clock`) and the state the rule needs, and get
back new values.
"""
