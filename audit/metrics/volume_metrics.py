"""Volume metrics: how much customers write and how much the brand replies. Neither more nor less
is better; they size the service and make brands in one export comparable."""
from __future__ import annotations

from audit.metrics.metric import Measure, Metric

VOLUME: tuple[Metric, ...] = (
    Metric("inbound_posts", "Inbound posts",
           "Number of customer posts in conversations with the brand handle(s).",
           "count", None, lambda s: Measure(len(s.inbound)), "volume"),
    Metric("inbound_per_day", "Inbound posts per day",
           "Inbound posts divided by the number of local calendar days of the analysis window (first to "
           "last post, inclusive, without stray timestamps isolated from the body of the data, or the "
           "--since/--until dates), so brands in one export are comparable.",
           "posts_per_day", None,
           lambda s: Measure(len(s.inbound) / s.days if s.days else None, len(s.inbound), s.days), "volume"),
    Metric("customer_conversations", "Customer-opened conversations",
           "Number of conversations with the brand handle(s) whose first post was written by a customer.",
           "count", None, lambda s: Measure(len(s.convs)), "volume"),
    Metric("brand_replies", "Brand replies",
           "Number of posts written by the brand handle(s) that reply to another post.",
           "count", None, lambda s: Measure(len(s.replies)), "volume"),
)
