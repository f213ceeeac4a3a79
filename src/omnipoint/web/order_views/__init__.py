"""The console's order pages: the outlet work queue, hand-over at pickup, the counter (POS),
orders and their detail, returns, and orders keyed by staff for a caller (hotline, handheld).

As in web/views.py: a view parses its form (order_forms.py), makes one service or selector call and
renders; a refusal re-renders the page with the error's status, and anything outside the
actor's scope (404) or role (403) becomes the error page.
"""
