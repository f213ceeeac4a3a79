"""What outlets tell the apps above them (registered in their AppConfig.ready())."""

from omnipoint.core.hooks import Hook
from omnipoint.outlets.domain import StaffActor

# Inventory copies an outlet's coordinates onto its stock rows for "where is it"; run inside
# outlet_update's transaction when the outlet moves, with the outlet's id and who moved it.
# Registered by InventoryConfig.ready().
OUTLET_MOVED: Hook[[int, StaffActor], object] = Hook(
    "outlets.OUTLET_MOVED", "copy a moved outlet's coordinates"
)
