"""门岗登记 endpoints: the batch sync a gate device sends, and the gates the user may register
at — over the same scope and service as the pages (gates.scope, gates.services)."""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from api.schemas import ErrorOut, ValidationErrorOut
from gates import services
from gates.scope import gate_to_register, gates_to_register

router = Router(tags=["门岗登记"])

MAX_BATCH = 500


class GateOut(Schema):
    id: int
    name: str
    campus: str


class SyncIn(Schema):
    gate: int = Field(ge=1, le=2**31 - 1, description="门岗 id")
    device: uuid.UUID | None = Field(None, description="设备自己生成的标识")
    waiting: int = Field(0, ge=0, le=2**31 - 1, description="设备上仍待同步的条数")
    entries: list[Any] = Field(
        max_length=MAX_BATCH,
        description=(
            "每条：uid（设备生成的 UUID）、at（时间，ISO 8601 带时区）、direction（in/out）、"
            "member（学工号）或 pass_code（通行码）或 visitor_name/visitor_phone/"
            "visitor_reason/visitor_host、temperature（℃）。逐条校验，不合格的逐条退回。"
        ),
    )


class Refused(Schema):
    uid: str
    reason: str


class SyncOut(Schema):
    stored: list[str] = Field(description="本次新保存的 uid")
    known: list[str] = Field(description="此前已保存的 uid（确认收到，不重复保存）")
    refused: list[Refused] = Field(description="未保存的登记及原因")
    fevers: int
    server_time: dt.datetime


@router.get("", response={200: list[GateOut], 401: ErrorOut}, summary="我可登记的门岗")
def gate_list(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    return [{"id": g.pk, "name": g.name, "campus": g.campus.name} for g in gates_to_register(user)]


@router.post(
    "/sync",
    response={200: SyncOut, 400: ValidationErrorOut | ErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="批量同步进出登记",
    description=(
        "幂等：以设备生成的 uid 为准，已保存的登记只确认、不重复保存。"
        "不合格的登记逐条退回并说明原因，不影响同批其他登记。"
        "只能向您可登记的门岗同步（值班班次或派驻），每条按其登记时间核对。"
    ),
)
def gate_sync(request: HttpRequest, payload: SyncIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    gate, access = gate_to_register(user, payload.gate)  # one query: gate, scope, keeper
    entries, bad = services.entries_from_dicts(payload.entries)
    result = services.entries_sync(
        actor=user,
        gate=gate,
        entries=entries,
        device_uid=payload.device,
        waiting=payload.waiting,
        access=access,
    )
    return {
        "stored": result.stored,
        "known": result.known,
        "refused": [{"uid": u, "reason": r} for u, r in bad + result.refused],
        "fevers": result.fevers,
        "server_time": timezone.now(),
    }
