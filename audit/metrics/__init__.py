"""Layer 5, measuring the service: the metric registry (each definition beside its calculation,
``registry``; what a metric is, ``metric``; the entries by family, ``*_metrics``), the data it runs
on (``prepare``, ``scope``, ``hours_of_week``), what it reports besides the values (``series``,
``examples``, ``jsonable``), and its helpers: ``intervals``, ``business_hours``, ``reply_time``,
``agents``, ``trends``, ``peers``, and ``erlang`` (the staffing queue model)."""
