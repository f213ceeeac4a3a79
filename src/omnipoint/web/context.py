from django.http import HttpRequest

from omnipoint.outlets.models import Staff


def console(request: HttpRequest) -> dict[str, object]:
    """The signed-in staff member, for the console's header and navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    staff = Staff.objects.select_related("outlet", "region").filter(user_id=user.pk).first()
    return {"staff": staff}
