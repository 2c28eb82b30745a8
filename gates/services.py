"""Every write about gates: keeping gates and keepers, pass codes, and storing entries.

`entries_sync` is the one way an entry reaches the database: from a device's batch (the API),
from a file a device saved (the duty office's import), from the bench. It is idempotent by the
id the device made (a unique constraint): an entry already stored is acknowledged, not stored
again; an entry it refuses comes back with its reason and never holds up the rest.
"""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from audit.context import request_ip
from audit.models import AuditEvent
from audit.services import audit_record
from gates.fever import on_fever
from gates.models import PASS_PREFIX, Device, Direction, Entry, Gate, GateKeeper, PassCode, Source
from gates.scope import Access, Registrar
from members.models import Member
from orgs.models import Campus
from rosters.models import Post

LOWEST, HIGHEST = Decimal("34.0"), Decimal("43.0")
# A device clock may run a little fast; an entry from further in the future is refused.
CLOCK_SLACK = dt.timedelta(minutes=10)


class GateError(Exception):
    """A rule of the gates refused the action; the message is for the user (Chinese)."""


def fever_threshold() -> Decimal:
    return Decimal(str(settings.FEVER_THRESHOLD))


# --- gates and keepers ------------------------------------------------------------------


@transaction.atomic
def gate_save(
    *,
    actor: Any,
    gate: Gate | None = None,
    campus: Campus,
    name: str,
    post: Post | None,
    active: bool = True,
) -> Gate:
    if Gate.objects.filter(campus=campus, name=name).exclude(pk=gate.pk if gate else 0).exists():
        raise GateError(f"{campus.name}已有名为「{name}」的门岗。")
    created = gate is None
    gate = gate or Gate()
    gate.campus, gate.name, gate.post, gate.active = campus, name, post, active
    gate.save()
    audit_record(
        actor=actor,
        action="gate.create" if created else "gate.update",
        target=gate,
        changes={"post": post.name if post else "", "active": active},
    )
    return gate


@transaction.atomic
def keeper_assign(*, actor: Any, gate: Gate, member: Member, device_label: str = "") -> GateKeeper:
    keeper, created = GateKeeper.objects.get_or_create(
        gate=gate, member=member, defaults={"device_label": device_label, "assigned_by": actor}
    )
    if not created:
        raise GateError(f"{member.name}已派驻在{gate}。")
    audit_record(actor=actor, action="gate.keeper_assign", target=gate, label=f"{gate}：{member}")
    return keeper


@transaction.atomic
def keeper_remove(*, actor: Any, keeper: GateKeeper) -> None:
    audit_record(
        actor=actor,
        action="gate.keeper_remove",
        target=keeper.gate,
        label=f"{keeper.gate}：{keeper.member}",
    )
    keeper.delete()


# --- pass codes -------------------------------------------------------------------------


def pass_code_for(member: Member) -> PassCode:
    code, _ = PassCode.objects.get_or_create(member=member)
    return code


@transaction.atomic
def pass_code_reissue(*, actor: Any, member: Member) -> PassCode:
    """A new token; the old code stops working at once."""
    code = PassCode.objects.select_for_update().filter(member=member).first()
    if code is None:
        code = PassCode.objects.create(member=member)
    else:
        code.token = PassCode._meta.get_field("token").get_default()
        code.issues += 1
        code.save(update_fields=["token", "issues", "issued_at"])
    audit_record(actor=actor, action="gate.pass_reissue", target=member)
    return code


def pass_token(text: str) -> str:
    """The token in a scanned code's text, or the text itself."""
    text = text.strip()
    return text[len(PASS_PREFIX) :] if text.startswith(PASS_PREFIX) else text


# --- entries ----------------------------------------------------------------------------


@dataclass
class EntryData:
    """One entry as the device sent it (already of the right types; the API checked them)."""

    uid: uuid.UUID
    at: dt.datetime
    direction: str
    member: str = ""  # 学工号
    pass_code: str = ""  # a scanned code the device could not resolve
    temperature: Decimal | None = None
    visitor_name: str = ""
    visitor_phone: str = ""
    visitor_reason: str = ""
    visitor_host: str = ""


@dataclass
class SyncResult:
    stored: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)  # stored before: acknowledged
    refused: list[tuple[str, str]] = field(default_factory=list)  # (uid, reason)
    fevers: int = 0


def _check(e: EntryData, *, registrar: Registrar, latest: dt.datetime) -> str:
    """The reason an entry is refused, or "" — every rule but whether its 学工号 or pass code
    names someone on the roll (_unknown_person, once looked up)."""
    if e.direction not in Direction.values:
        return "方向应为进或出。"
    if e.at > latest:
        return "登记时间晚于服务器当前时间，请校准手机时钟后重新登记。"
    if not registrar.allows(e.at):
        return "登记时您不在该门岗的值班班次上，也未被派驻到该门岗。"
    if e.temperature is not None and not LOWEST <= e.temperature <= HIGHEST:
        return f"体温 {e.temperature} ℃ 不在 {LOWEST}–{HIGHEST} ℃ 之间，请复测后重新登记。"
    if e.direction == Direction.IN and e.temperature is None:
        return "进校须测量体温。"
    if e.member or e.pass_code:
        return ""
    if not e.visitor_name.strip():
        return "请填写学工号、扫描通行码，或登记访客姓名。"
    if not e.visitor_reason.strip():
        return "访客须填写来访事由。"
    return ""


def _unknown_person(e: EntryData) -> str:
    if e.member:
        return f"学工号 {e.member} 不在人员名单中。"
    return "通行码无效或已重新签发，请核对身份后按学工号登记。"


def entries_sync(
    *,
    actor: Any,
    gate: Gate,
    entries: Sequence[EntryData],
    device_uid: uuid.UUID | None = None,
    waiting: int = 0,
    source: str = Source.DEVICE,
    officer: Any = None,
    access: Access | None = None,
) -> SyncResult:
    """Store a batch of entries once each; see the module's docstring. `access` is what
    gates.scope.gate_to_register learnt of the actor at the gate (else read again)."""
    unique = {e.uid for e in entries}
    one_statement = connection.vendor == "postgresql" and unique
    return (_sync_in_one_statement if one_statement else _sync)(
        actor=actor,
        gate=gate,
        entries=entries,
        device_uid=device_uid,
        waiting=waiting,
        source=source,
        officer=officer or actor,
        access=access,
    )


# The columns of one entry row, in the order _insert_new writes them.
_COLUMNS = (
    "uid",
    "gate",
    "device",
    "officer",
    "at",
    "received_at",
    "direction",
    "member",
    "visitor_name",
    "visitor_phone",
    "visitor_reason",
    "visitor_host",
    "temperature",
    "fever",
    "source",
)
# Columns whose Python values the database adapter needs converted (UUID as text on SQLite,
# datetimes and decimals to the backend's form); the rest are ints, strings and booleans.
_CONVERTED = frozenset({"uid", "at", "received_at", "temperature"})


def _insert_sql(vendor: str) -> tuple[str, list[Any], list[Any]]:
    """The INSERT of _insert_new for the connection's backend (made once per backend): the
    statement (PostgreSQL; elsewhere with {values} for the rows' placeholders), per column the
    function converting its values for the database (or None), and the fields."""
    meta = Entry._meta
    fields = [cast("Field[Any, Any]", meta.get_field(name)) for name in _COLUMNS]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(str(f.column)) for f in fields)
    uid = quote(str(fields[0].column))
    conflict = f"ON CONFLICT ({uid}) DO NOTHING RETURNING {uid}"
    if vendor == "postgresql":
        # one array per column: 15 parameters whatever the batch's size (a VALUES list
        # of 100 rows is 1,500 parameters for the driver to splice into the text)
        types = [f.cast_db_type(connection) or f.db_type(connection) for f in fields]
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        return (
            f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) {conflict}",
            [],
            fields,
        )
    convert = [
        (f.get_db_prep_save if name in _CONVERTED else None)
        for name, f in zip(_COLUMNS, fields, strict=True)
    ]
    return f"INSERT INTO {table} ({columns}) VALUES {{values}} {conflict}", convert, fields


_INSERT_SQL: dict[str, tuple[str, list[Any], list[Any]]] = {}


def _insert_new(rows: list[tuple[Any, ...]]) -> set[uuid.UUID]:
    """INSERT the rows, skipping any whose uid is already stored (ON CONFLICT (uid) DO
    NOTHING, so a copy of the batch arriving at the same moment on another connection waits
    for it and stores nothing twice); the uids this statement stored (RETURNING).

    One statement per chunk the backend allows (one for any batch the API accepts on
    PostgreSQL), without building a model instance per row."""
    vendor = connection.vendor
    if vendor not in _INSERT_SQL:
        _INSERT_SQL[vendor] = _insert_sql(vendor)
    sql, convert, fields = _INSERT_SQL[vendor]
    new: set[uuid.UUID] = set()
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
            new.update(u for (u,) in cursor)
            return new
        one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
        size = connection.ops.bulk_batch_size(fields, rows) or len(rows)
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            params = [
                to_db(value, connection) if to_db else value
                for row in chunk
                for to_db, value in zip(convert, row, strict=True)
            ]
            cursor.execute(sql.format(values=", ".join([one] * len(chunk))), params)
            new.update(uuid.UUID(str(u)) for (u,) in cursor)
    return new


def _people(numbers: set[str], tokens: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Member ids by 学工号 and by pass-code token, in one query whatever the batch's size."""
    parts, params = [], []
    if numbers:
        member = Member._meta
        parts.append(
            f"SELECT 0, number, id FROM {connection.ops.quote_name(member.db_table)} "
            f"WHERE number IN ({', '.join(['%s'] * len(numbers))})"
        )
        params += sorted(numbers)
    if tokens:
        code = PassCode._meta
        parts.append(
            f"SELECT 1, token, member_id FROM {connection.ops.quote_name(code.db_table)} "
            f"WHERE token IN ({', '.join(['%s'] * len(tokens))})"
        )
        params += sorted(tokens)
    found: tuple[dict[str, int], dict[str, int]] = ({}, {})
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for kind, key, member_id in cursor:
                found[kind][key] = member_id
    return found


@transaction.atomic
def _sync(
    *,
    actor: Any,
    gate: Gate,
    entries: Sequence[EntryData],
    device_uid: uuid.UUID | None,
    waiting: int,
    source: str,
    officer: Any,
    access: Access | None,
) -> SyncResult:
    now = timezone.now()
    result = SyncResult()
    device = None
    if device_uid is not None:
        # one INSERT … ON CONFLICT (uid) DO UPDATE: a device is created by its first sync
        (device,) = Device.objects.bulk_create(
            [Device(uid=device_uid, gate=gate, last_user=actor, last_sync_at=now, waiting=waiting)],
            update_conflicts=True,
            unique_fields=["uid"],
            update_fields=["gate", "last_user", "last_sync_at", "waiting"],
        )
    unique: dict[uuid.UUID, EntryData] = {}
    for e in entries:
        unique.setdefault(e.uid, e)
    if not unique:
        return result
    numbers = {e.member for e in unique.values() if e.member}
    tokens = {pass_token(e.pass_code) for e in unique.values() if e.pass_code and not e.member}
    members, passes = _people(numbers, tokens)
    registrar = Registrar(actor, gate, [e.at for e in unique.values()], access=access)
    threshold = fever_threshold()
    latest = now + CLOCK_SLACK
    device_id = device.pk if device is not None else None
    rows: list[tuple[Any, ...]] = []
    good: list[tuple[EntryData, int | None, bool]] = []
    refused: list[tuple[uuid.UUID, str]] = []
    for e in unique.values():
        reason, member_id = _check(e, registrar=registrar, latest=latest), None
        if not reason and (e.member or e.pass_code):
            member_id = members.get(e.member) if e.member else passes.get(pass_token(e.pass_code))
            reason = "" if member_id is not None else _unknown_person(e)
        if reason:
            refused.append((e.uid, reason))
            continue
        visitor = member_id is None
        fever = e.temperature is not None and e.temperature >= threshold
        good.append((e, member_id, fever))
        rows.append(
            (
                e.uid,
                gate.pk,
                device_id,
                officer.pk,
                e.at,
                now,
                e.direction,
                member_id,
                e.visitor_name.strip()[:50] if visitor else "",
                e.visitor_phone.strip()[:20] if visitor else "",
                e.visitor_reason.strip()[:200] if visitor else "",
                e.visitor_host.strip()[:50] if visitor else "",
                e.temperature,
                fever,
                source,
            )
        )
    new = _insert_new(rows) if rows else set()
    result.stored = [str(e.uid) for e, _, _ in good if e.uid in new]
    result.known = [str(e.uid) for e, _, _ in good if e.uid not in new]
    if refused:
        # an entry stored before is acknowledged, whatever a check says of it now
        before = set(
            Entry.objects.filter(uid__in=[uid for uid, _ in refused]).values_list("uid", flat=True)
        )
        result.known += [str(uid) for uid, _ in refused if uid in before]
        result.refused = [(str(uid), reason) for uid, reason in refused if uid not in before]
    if new:
        audit_record(
            actor=actor,
            action="gate.sync" if source == Source.DEVICE else "gate.import",
            target=gate,
            changes={
                "stored": len(new),
                "known": len(result.known),
                "refused": len(result.refused),
            },
        )
    _alert_fevers(
        result,
        [(e, member_id) for e, member_id, fever in good if fever and e.uid in new],
        gate=gate,
        device_id=device_id,
        officer=officer,
        now=now,
        source=source,
    )
    return result


def _alert_fevers(
    result: SyncResult,
    fevers: list[tuple[EntryData, int | None]],
    *,
    gate: Gate,
    device_id: int | None,
    officer: Any,
    now: dt.datetime,
    source: str,
) -> None:
    """After commit, alert on each fever stored now (gates.fever.on_fever)."""
    result.fevers = len(fevers)
    for e, member_id in fevers:
        entry = Entry(
            uid=e.uid,
            gate=gate,
            device_id=device_id,
            officer=officer,
            at=e.at,
            received_at=now,
            direction=e.direction,
            member_id=member_id,
            visitor_name=e.visitor_name.strip()[:50] if member_id is None else "",
            temperature=e.temperature,
            fever=True,
            source=source,
        )
        transaction.on_commit(lambda entry=entry: on_fever(entry=entry))  # type: ignore[misc]


# --- the same in one statement (PostgreSQL) --------------------------------------------

# The device's upsert, the people lookup, the INSERT and the audit row as one statement: no
# BEGIN and COMMIT around it (one statement is all-or-nothing by itself), four round trips
# fewer for a phone's single entry than the transaction of _sync. Tables by their models'
# names; columns are Django's. The last SELECT sees the table as it was before the statement
# (its snapshot), so `before` means "stored by an earlier sync".
_ONE_STATEMENT = """
WITH dev AS (
    INSERT INTO {device} (uid, gate_id, last_user_id, first_seen_at, last_sync_at, waiting)
    SELECT %(device)s::uuid, %(gate)s, %(actor)s, %(now)s, %(now)s, %(waiting)s
    WHERE %(device)s::uuid IS NOT NULL
    ON CONFLICT (uid) DO UPDATE SET gate_id = EXCLUDED.gate_id,
        last_user_id = EXCLUDED.last_user_id, last_sync_at = EXCLUDED.last_sync_at,
        waiting = EXCLUDED.waiting
    RETURNING id
), i AS (
    SELECT * FROM unnest(
        %(uid)s::uuid[], %(at)s::timestamptz[], %(direction)s::varchar[], %(number)s::varchar[],
        %(token)s::varchar[], %(v_name)s::varchar[], %(v_phone)s::varchar[],
        %(v_reason)s::varchar[], %(v_host)s::varchar[], %(temperature)s::numeric[],
        %(fever)s::boolean[], %(ok)s::boolean[]
    ) AS i(uid, at, direction, number, token, v_name, v_phone, v_reason, v_host, temperature,
        fever, ok)
), r AS (
    SELECT i.*, COALESCE(m.id, p.member_id) AS member_id,
        i.ok AND (COALESCE(m.id, p.member_id) IS NOT NULL OR (i.number = '' AND i.token = ''))
            AS good
    FROM i
        LEFT JOIN {member} m ON i.number <> '' AND m.number = i.number
        LEFT JOIN {passcode} p ON i.number = '' AND i.token <> '' AND p.token = i.token
), ins AS (
    INSERT INTO {entry} (uid, gate_id, device_id, officer_id, at, received_at, direction,
        member_id, visitor_name, visitor_phone, visitor_reason, visitor_host, temperature,
        fever, source)
    SELECT uid, %(gate)s, (SELECT id FROM dev), %(officer)s, at, %(now)s, direction, member_id,
        CASE WHEN member_id IS NULL THEN v_name ELSE '' END,
        CASE WHEN member_id IS NULL THEN v_phone ELSE '' END,
        CASE WHEN member_id IS NULL THEN v_reason ELSE '' END,
        CASE WHEN member_id IS NULL THEN v_host ELSE '' END,
        temperature, fever, %(source)s
    FROM r WHERE good
    ON CONFLICT (uid) DO NOTHING
    RETURNING uid
), st AS (
    SELECT r.uid, r.member_id, r.good, ins.uid IS NOT NULL AS stored,
        NOT r.good AND EXISTS (SELECT 1 FROM {entry} e WHERE e.uid = r.uid) AS before
    FROM r LEFT JOIN ins ON ins.uid = r.uid
), aud AS (
    INSERT INTO {audit} (actor_id, at, action, target_type, target_id, target_label, changes, ip)
    SELECT %(actor)s, %(now)s, %(action)s, %(target_type)s, %(target_id)s, %(target_label)s,
        jsonb_build_object('stored', c.stored, 'known', c.known, 'refused', c.refused),
        %(ip)s::inet
    FROM (
        SELECT count(*) FILTER (WHERE stored) AS stored,
            count(*) FILTER (WHERE NOT stored AND (good OR before)) AS known,
            count(*) FILTER (WHERE NOT stored AND NOT good AND NOT before) AS refused
        FROM st
    ) c
    WHERE c.stored > 0
)
SELECT uid, member_id, stored, before, (SELECT id FROM dev) FROM st
"""
_ONE_STATEMENT_SQL: list[str] = []


def _one_statement_sql() -> str:
    if not _ONE_STATEMENT_SQL:
        tables = {
            "device": Device,
            "member": Member,
            "passcode": PassCode,
            "entry": Entry,
            "audit": AuditEvent,
        }
        _ONE_STATEMENT_SQL.append(
            _ONE_STATEMENT.format(
                **{k: connection.ops.quote_name(m._meta.db_table) for k, m in tables.items()}
            )
        )
    return _ONE_STATEMENT_SQL[0]


def _sync_in_one_statement(
    *,
    actor: Any,
    gate: Gate,
    entries: Sequence[EntryData],
    device_uid: uuid.UUID | None,
    waiting: int,
    source: str,
    officer: Any,
    access: Access | None,
) -> SyncResult:
    """_sync's rules and answer on PostgreSQL, the writes in one statement."""
    now = timezone.now()
    result = SyncResult()
    unique: dict[uuid.UUID, EntryData] = {}
    for e in entries:
        unique.setdefault(e.uid, e)
    registrar = Registrar(actor, gate, [e.at for e in unique.values()], access=access)
    threshold = fever_threshold()
    latest = now + CLOCK_SLACK
    reasons: dict[uuid.UUID, str] = {}
    columns: dict[str, list[Any]] = {
        name: []
        for name in (
            "uid", "at", "direction", "number", "token", "v_name", "v_phone", "v_reason",
            "v_host", "temperature", "fever", "ok",
        )
    }  # fmt: skip
    for e in unique.values():
        reasons[e.uid] = _check(e, registrar=registrar, latest=latest)
        values = (
            e.uid,
            e.at,
            e.direction,
            e.member,
            pass_token(e.pass_code) if e.pass_code and not e.member else "",
            e.visitor_name.strip()[:50],
            e.visitor_phone.strip()[:20],
            e.visitor_reason.strip()[:200],
            e.visitor_host.strip()[:50],
            e.temperature,
            e.temperature is not None and e.temperature >= threshold,
            not reasons[e.uid],
        )
        for column, value in zip(columns.values(), values, strict=True):
            column.append(value)
    params = {
        **columns,
        "device": device_uid,
        "gate": gate.pk,
        "actor": actor.pk if actor is not None and actor.is_authenticated else None,
        "officer": officer.pk,
        "now": now,
        "waiting": waiting,
        "source": source,
        "action": "gate.sync" if source == Source.DEVICE else "gate.import",
        "target_type": gate._meta.label_lower,
        "target_id": str(gate.pk),
        "target_label": str(gate),
        "ip": request_ip.get(),
    }
    with connection.cursor() as cursor:
        cursor.execute(_one_statement_sql(), params)
        rows = cursor.fetchall()
    device_id = rows[0][4] if rows else None
    found = {uid: (member_id, stored, before) for uid, member_id, stored, before, _ in rows}
    fevers: list[tuple[EntryData, int | None]] = []
    acknowledged: list[str] = []  # refused now, but stored by an earlier sync
    for e in unique.values():
        member_id, stored, before = found[e.uid]
        reason = reasons[e.uid]
        if not reason and member_id is None and (e.member or e.pass_code):
            reason = _unknown_person(e)
        if stored:
            result.stored.append(str(e.uid))
            if e.temperature is not None and e.temperature >= threshold:
                fevers.append((e, member_id))
        elif not reason:
            result.known.append(str(e.uid))  # stored before, or by a copy at the same moment
        elif before:
            acknowledged.append(str(e.uid))
        else:
            result.refused.append((str(e.uid), reason))
    result.known += acknowledged
    _alert_fevers(
        result, fevers, gate=gate, device_id=device_id, officer=officer, now=now, source=source
    )
    return result


def parse_temperature(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
        if not number.is_finite():
            raise InvalidOperation
        return number.quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as e:
        raise GateError("体温应为数字，如 36.5。") from e


def _text(raw: dict[str, Any], key: str, limit: int) -> str:
    value = raw.get(key) or ""
    if not isinstance(value, str):
        raise GateError(f"{key} 应为文本。")
    return value.strip()[:limit]


def entry_from_dict(raw: Any) -> EntryData:
    """One entry from the device, or GateError with the Chinese reason."""
    if not isinstance(raw, dict):
        raise GateError("登记格式不正确。")
    try:
        uid = uuid.UUID(str(raw.get("uid")))
    except ValueError as e:
        raise GateError("登记缺少有效的标识（uid）。") from e
    try:
        at = parse_datetime(str(raw.get("at") or ""))
    except ValueError:
        at = None
    if at is None:
        raise GateError("登记时间格式不正确。")
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    direction = raw.get("direction")
    if direction not in Direction.values:
        raise GateError("方向应为进（in）或出（out）。")
    return EntryData(
        uid=uid,
        at=at,
        direction=str(direction),
        member=_text(raw, "member", 32),
        pass_code=_text(raw, "pass_code", 80),
        temperature=parse_temperature(raw.get("temperature")),
        visitor_name=_text(raw, "visitor_name", 50),
        visitor_phone=_text(raw, "visitor_phone", 20),
        visitor_reason=_text(raw, "visitor_reason", 200),
        visitor_host=_text(raw, "visitor_host", 50),
    )


def entries_from_dicts(raws: list[Any]) -> tuple[list[EntryData], list[tuple[str, str]]]:
    good, bad = [], []
    for raw in raws:
        try:
            good.append(entry_from_dict(raw))
        except GateError as e:
            uid = str(raw.get("uid", "")) if isinstance(raw, dict) else ""
            bad.append((uid, str(e)))
    return good, bad
