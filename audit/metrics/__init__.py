"""Layer 5, measuring the service: the metric registry (each definition beside its calculation,
``registry``) and its helpers: ``intervals``, ``business_hours``, ``reply_time``, ``agents``, ``trends``,
``peers``, and ``erlang`` (the staffing queue model)."""
