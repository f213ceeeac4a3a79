"""What loyalty asks of the apps above it (registered in their AppConfig.ready())."""

from datetime import datetime

from omnipoint.core.hooks import Hook

# A member's spend since a time (completed orders, returns taken off), for their tier.
# Registered by OrdersConfig.ready(): orders own what was bought and returned.
MEMBER_SPEND: Hook[[int, datetime], int] = Hook("loyalty.MEMBER_SPEND", "a member's spend for their tier")
