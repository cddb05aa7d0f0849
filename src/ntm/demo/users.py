"""The demo's users: one per role, with fixed passwords printed by `ntm run`.

The commune officer works for Xã Vạn Linh (Lạng Sơn), the commune in force today that
continues the Vạn Linh of the demo's history (recognised in 2015, per the reference), so the
officer reads that history and enters the current year. The passwords are public: they are
for a demo on 127.0.0.1 only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from ntm.accounts.models import Role
from ntm.accounts.services import create_user
from ntm.demo.loader import ACTOR, DemoError, province
from ntm.units.models import Unit, UnitKind

COMMUNE_NAME_KEY = "van linh"


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role
    full_name: str
    scope: str  # what the role covers, for the printed list


def _commune() -> Unit:
    prov = province()
    found = [
        u
        for u in Unit.objects.valid_on(timezone.localdate()).filter(
            kind=UnitKind.COMMUNE, name_key=COMMUNE_NAME_KEY
        )
        if u.parent_id == prov.pk or (u.parent is not None and u.parent.parent_id == prov.pk)
    ]
    if len(found) != 1:
        raise DemoError("Không tìm thấy xã Vạn Linh (Lạng Sơn) đang có hiệu lực. (No commune.)")
    return found[0]


def demo_users() -> list[tuple[DemoUser, Unit | None]]:
    commune, prov = _commune(), province()
    return [
        (
            DemoUser(
                "canbo.xa",
                "demo-canbo-xa",
                Role.COMMUNE_OFFICER,
                "Cán bộ xã Vạn Linh (demo)",
                commune.name,
            ),
            commune,
        ),
        (
            DemoUser(
                "thamdinh", "demo-thamdinh", Role.APPRAISER, "Thẩm định viên (demo)", prov.name
            ),
            prov,
        ),
        (
            DemoUser(
                "vanphong.tinh",
                "demo-vanphong",
                Role.PROVINCE_OFFICE,
                "Văn phòng Điều phối NTM tỉnh (demo)",
                prov.name,
            ),
            prov,
        ),
        (
            DemoUser(
                "trunguong",
                "demo-trunguong",
                Role.CENTRAL_VIEWER,
                "Cán bộ trung ương (demo)",
                "cả nước",
            ),
            None,
        ),
        (
            DemoUser(
                "quantri", "demo-quantri", Role.ADMINISTRATOR, "Quản trị hệ thống (demo)", "cả nước"
            ),
            None,
        ),
    ]


def ensure_demo_users(*, actor: str = ACTOR) -> list[DemoUser]:
    """Create the demo users that do not exist yet (an existing username is left as it is)."""
    out = []
    existing = set(get_user_model().objects.values_list("username", flat=True))
    for user, unit in demo_users():
        if user.username not in existing:
            create_user(
                user.username,
                password=user.password,
                role=user.role,
                unit=unit,
                full_name=user.full_name,
                actor=actor,
            )
        out.append(user)
    return out
