"""The one place that decides which labs a user may act in, and how.

Every selector of lab data asks these helpers; a user without the right
membership gets Http404, so the existence of another lab's records never
leaks.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from openmil.core.models import Lab, Membership
from openmil.core.roles import Perm, Role, role_can

AnyUser = AbstractBaseUser | AnonymousUser

_CACHE_ATTR = "_openmil_memberships"


def memberships_of(user: AnyUser) -> list[Membership]:
    """The user's memberships, fetched once per request and cached on the user."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user_id=user.pk).select_related(
                "lab", "organisation"
            )
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(user: AnyUser) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def roles_in_lab(user: AnyUser, lab_id: int) -> set[str]:
    return {m.role for m in memberships_of(user) if m.lab_id == lab_id}


def lab_ids_with(user: AnyUser, permission: str) -> set[int]:
    """Ids of the labs where one of the user's roles holds `permission`."""
    ids = {m.lab_id for m in memberships_of(user) if role_can(m.role, permission)}
    if permission == Perm.VIEW_AGGREGATES:
        # A network administrator reads aggregates of every lab of the network.
        networks = {
            m.lab.network_id
            for m in memberships_of(user)
            if m.role == Role.NETWORK_ADMIN
        }
        if networks:
            ids |= set(
                Lab.objects.filter(network_id__in=networks).values_list("id", flat=True)
            )
    return ids


def can(user: AnyUser, permission: str, lab_id: int) -> bool:
    return lab_id in lab_ids_with(user, permission)


def has_any(user: AnyUser, permission: str) -> bool:
    return bool(lab_ids_with(user, permission))


def labs_with(user: AnyUser, permission: str) -> QuerySet[Lab]:
    return Lab.objects.filter(id__in=lab_ids_with(user, permission)).order_by("name")


def lab_get(user: AnyUser, *, lab_id: int, permission: str) -> Lab:
    """The lab if the user holds `permission` in it, else Http404."""
    if not can(user, permission, lab_id):
        raise Http404
    return Lab.objects.get(pk=lab_id)


def require(user: AnyUser, permission: str, lab_id: int) -> None:
    if not can(user, permission, lab_id):
        raise Http404


def is_staff_user(user: AnyUser) -> bool:
    """Staff pages are for people who handle participants' records."""
    return has_any(user, Perm.VIEW_PERSONAL)


def lab_choice(
    user: AnyUser, permission: str, wanted: str | None
) -> tuple[Lab, list[Lab]]:
    """The lab a page acts in, and the user's labs to choose from: the lab
    asked for by id (`?lab=` or a posted `lab`), else the first by name.

    Http404 when the user holds `permission` in no lab, or asks for a lab
    where they do not: a lab is never silently swapped for another.
    """
    labs = list(labs_with(user, permission))
    if not labs:
        raise Http404
    if not wanted:
        return labs[0], labs
    for lab in labs:
        if str(lab.pk) == wanted:
            return lab, labs
    raise Http404
