"""The configuration schema: typed models that are the single source of truth for defaults,
validation and the reference documentation (`tarwatch config schema` prints it)."""

from __future__ import annotations

import re
import socket
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SecretStr,
    field_validator,
    model_validator,
)

from tarwatch.config.toml import toml_key
from tarwatch.durations import format_duration, parse_duration
from tarwatch.paths import data_dir
from tarwatch.windows import parse_window

Duration = Annotated[
    timedelta,
    BeforeValidator(lambda v: v if isinstance(v, timedelta) else parse_duration(v)),
    PlainSerializer(format_duration, return_type=str),
]

ITEM_RE = re.compile(r"^[^/\s]+/[^/\s]+$")
# A $VAR or ${VAR} as a POSIX shell names it: what a node's shell expands in a root, and what
# the legacy reader expands from the environment in dbpath and jspath.
SHELL_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]*$")
HUB_TAGS = "letters, digits and _ . : @ -, starting with a letter or digit"
# Node tags name files (the legacy jspath's {node}, the dashboard's images): any text but "."
# and "..", without "/" and without control characters (NUL, newline, escape, …).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
NODE_TAGS = 'any name but "." and "..", without "/" or control characters'


def tag_problem(tag: str) -> str | None:
    """Given a node tag, return what is wrong with it (None: nothing). Hub tags follow NAME_RE."""
    if tag in ("", ".", ".."):
        return f"node tag {tag!r} is not allowed; a node tag is {NODE_TAGS}"
    if "/" in tag or _CONTROL.search(tag):
        return f"node tag {tag!r} holds '/' or a control character; a node tag is {NODE_TAGS}"
    return None


def _item_problem(item: str) -> str | None:
    """Given an item ("category/name"), return what is wrong with it (None: nothing)."""
    if not ITEM_RE.match(item) or _CONTROL.search(item) or {".", ".."} & set(item.split("/")):
        return (
            'expected items as "category/name" (neither part "." or "..", no control characters), '
            f"got {item!r}"
        )
    return None


# An e-mail address as Apprise's mailto:// accepts one (apprise.utils.parse.GET_EMAIL_RE, bare):
# a domain with a dot, or a single label of at least six characters ("localhost"); a short host
# name such as "vm" is refused, so the default sender is never tarwatch@<short hostname>.
EMAIL_RE = re.compile(
    r"^[a-z0-9_!#$%&*/=?`{|}~^+-]+(?:\.[a-z0-9_!#$%&'*/=?`{|}~^+-]+)*@"
    r"(?:(?:[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9_-]*[a-z0-9])|[a-z0-9][a-z0-9_-]{5,})$",
    re.IGNORECASE,
)
ADDRESSES = 'an address such as "ops@example.org" (its domain has a dot, or is one name of 6+ characters)'


def _check_address(v: str) -> str:
    if not isinstance(v, str) or not EMAIL_RE.match(v):
        raise ValueError(f"expected {ADDRESSES}, got {short_repr(v)}")
    return v


Address = Annotated[str, AfterValidator(_check_address)]


def _check_window(v: str) -> str:
    parse_window(v)
    return v


MaintenanceWindow = Annotated[str, AfterValidator(_check_window)]


def default_sender() -> str:
    """Return the default From address: tarwatch@ the machine's host name when it is fully
    qualified (has a dot, and Apprise accepts it), else tarwatch@localhost.localdomain. No DNS
    lookup (socket.getfqdn can hang for seconds on a machine without working DNS)."""
    address = f"tarwatch@{socket.gethostname()}"
    return address if "." in address and EMAIL_RE.match(address) else "tarwatch@localhost.localdomain"


DEFAULT_ROOT = "$SCM_FOLD/backup/{srvnode}"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
StatusName = Literal["alarm", "warn", "unknown"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _check_timezone(v: Any) -> str:
    expected = 'expected an IANA time zone such as "UTC" or "Asia/Shanghai"'
    if not isinstance(v, str) or not 0 < len(v) <= 255:
        raise ValueError(f"{expected}, got {short_repr(v)}")
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError, OSError) as e:  # OSError: a name too long for a file
        raise ValueError(f"{expected}, got {v!r}") from e
    return v


def short_repr(v: Any, limit: int = 80) -> str:
    """Given any value from a configuration file, return its repr cut to `limit` characters (a
    huge int is not even turned into digits)."""
    if isinstance(v, int) and v.bit_length() > 4 * limit:
        return f"an integer of about {int(v.bit_length() * 0.30103)} digits"
    text = repr(v) if not isinstance(v, str) or len(v) <= 4 * limit else repr(v[: 4 * limit])
    return text if len(text) <= limit else text[:limit] + "…"


def _no_control(v: str) -> str:
    """Refuse a path or URL holding NUL or another control character: no file or server has one."""
    if _CONTROL.search(v):
        raise ValueError(f"expected no control characters (NUL, newline, escape, …), got {short_repr(v)}")
    return v


Timezone = Annotated[str, BeforeValidator(_check_timezone)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class Defaults(_Strict):
    """Thresholds and settings every hub and item inherits unless it sets its own."""

    timezone: Timezone = Field("UTC", description="time zone of the dated folders YYYY/MM/DD/HHMMSS")
    stale_warn: Duration = Field(timedelta(hours=26), description="warn when the newest tarball is older")
    stale_alarm: Duration = Field(timedelta(hours=50), description="alarm when the newest tarball is older")
    shrink_warn: float = Field(
        0.2,
        ge=0,
        le=1,
        description="warn when the newest tarball is this fraction smaller than the one before",
    )
    anomaly: bool = Field(
        True, description="warn when the newest tarball is strangely small or large for its item (anomaly)"
    )
    anomaly_nights: int = Field(
        30,
        ge=21,  # checks.anomaly.MIN_NIGHTS: a shorter history never warns
        le=366,
        description="anomaly: judge the newest tarball against this many before it (at least 21; "
        "no warning until 21 exist: three weeks, to see a weekly rhythm)",
    )
    anomaly_k: float = Field(
        5.0,
        gt=0,
        le=100,
        description="anomaly: warn outside the expected size ± this many robust standard deviations "
        "(1.4826 × MAD)",
    )
    anomaly_floor: float = Field(
        0.1,
        ge=0,
        le=1,
        description="anomaly: the expected range is never narrower than × and ÷ (1 + this) around "
        "the expected size: a constant series never warns",
    )
    capacity_warn: int = Field(
        30, ge=0, description="capacity: warn when the disk under a node's root fills within this many days"
    )
    capacity_alarm: int = Field(
        7,
        ge=0,
        description="capacity: alarm when it fills within this many days (and when its free space is "
        "below the largest night's new tarballs)",
    )
    capacity_days: int = Field(
        30,
        ge=7,
        le=366,
        description="capacity: forecast from this many days of disk history (none before 7 days exist)",
    )
    keep_min: int = Field(1, ge=0, description="warn when fewer tarballs are kept")
    keep_max: int = Field(10, ge=1, description="warn when more tarballs are kept")
    transfer_grace: Duration = Field(
        timedelta(hours=6), description="how long a tarball on the source may take to reach a node"
    )
    locked_grace: Duration = Field(timedelta(hours=6), description="how long a LOCKED folder may stay")
    verify: Literal["size", "md5", "gzip", "tar"] = Field(
        "size",
        description='"md5" also hashes the newest tarball per item on the node; "gzip" (gzip -t) or '
        '"tar" (tar -tzf) tests on the node, in turn, whether the newest tarballs would restore',
    )
    drill_bytes: int = Field(
        512 * 1024**2,
        ge=0,
        description='restore drills (verify = "gzip" or "tar"): at most this many bytes of tarballs '
        "read per node and run (a hub's value holds for its nodes)",
    )
    drill_time: Duration = Field(
        timedelta(seconds=10),
        description='restore drills (verify = "gzip" or "tar"): at most this long spent per node and '
        "run; a drill cut short is stopped on the node and tried again next time",
    )
    drill_share: float = Field(
        0.2,
        ge=0,
        le=10,
        description="restore drills: at most this fraction of the hub's previous collect's duration "
        "spent per node and run (0.2: a nightly run grows by at most a fifth; the first: drill_time alone)",
    )
    repeat: Duration = Field(
        timedelta(hours=24), description='reminder period for ongoing problems ("0s": no reminders)'
    )
    all_well: Weekday | None = Field(
        None,
        description='the weekday (in `timezone`) of a weekly "all is well" message, sent when nothing '
        "is wrong; unset: none",
    )
    hash_timeout: Duration = Field(
        timedelta(minutes=30), description='how long hashing the newest tarballs may take (verify = "md5")'
    )
    timeout: Duration = Field(timedelta(seconds=30), description="per node: connecting, and each listing")


def _optional_copy(model: type[BaseModel], name: str, doc: str) -> type[BaseModel]:
    """Return a model with the same fields as `model`, each optional and unset by default."""
    from pydantic import create_model

    fields: dict[str, Any] = {
        k: (_with_metadata(f.annotation, f.metadata) | None, Field(None, description=f.description))
        for k, f in model.model_fields.items()
        if k != "timeout"
    }
    m = create_model(name, __base__=_Strict, __doc__=doc, **fields)
    return m


def _with_metadata(ann: Any, metadata: list[Any]) -> Any:
    return Annotated[ann, *metadata] if metadata else ann


Overrides = _optional_copy(
    Defaults, "Overrides", "Thresholds set for one hub or one item; unset ones are inherited."
)


class Store(_Strict):
    """Where the history is kept."""

    url: str = Field(
        default_factory=lambda: f"sqlite:///{data_dir() / 'tarwatch.db'}",
        description="SQLAlchemy URL: sqlite:///PATH (default, in the user's data folder) or postgresql://…",
    )

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, v: str) -> str:
        if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", v):
            raise ValueError(f"expected a URL starting sqlite:/// or postgresql://, got {short_repr(v)}")
        return _no_control(v)


class Publish(_Strict):
    """The static site."""

    out: Path = Field(default_factory=lambda: data_dir() / "site", description="folder of the site")
    url: str | None = Field(None, description="public URL of the site, for links in messages")

    @field_validator("out")
    @classmethod
    def _out_is_a_path(cls, v: Path) -> Path:
        _no_control(str(v))
        return v

    @field_validator("url")
    @classmethod
    def _url_is_one_line(cls, v: str | None) -> str | None:
        return None if v is None else _no_control(v)


class Mail(_Strict):
    """How mail to the hubs' `email` addresses (the legacy key) is sent."""

    sender: str = Field(
        default_factory=default_sender,
        description="the From address (default: tarwatch@ the host name when it has a dot, else "
        "tarwatch@localhost.localdomain; a short host name is refused by Apprise)",
    )
    smtp_host: str = Field("localhost", description="the SMTP server")
    smtp_port: int | None = Field(
        None, ge=1, le=65535, description="its port (default: 25, 587 with starttls, 465 with ssl)"
    )
    smtp_user: str | None = Field(None, description="log in as this user (default: no login)")
    smtp_password: SecretStr | None = Field(None, description="and this password")
    smtp_security: Literal["none", "starttls", "ssl"] = Field(
        "none", description='"none", "starttls" or "ssl"'
    )

    @field_validator("sender")
    @classmethod
    def _sender_is_an_address(cls, v: str) -> str:
        return _check_address(v)


class NamedChannel(_Strict):
    """A named channel ([notify.channels.NAME]) with its routing: which hubs it serves, which
    messages it takes. A message goes whole, or not at all: it goes when it names a problem of
    one of `statuses` (new, still open or recovered from it), or is the weekly "all is well"."""

    url: str = Field(description="its Apprise URL")
    hubs: list[str] = Field(
        default_factory=list, description="hubs it serves, besides those naming it in their `notify`"
    )
    statuses: list[StatusName] = Field(
        default_factory=lambda: list[StatusName](["alarm", "warn", "unknown"]),
        description='the statuses it is told of, e.g. ["alarm"] (default: all three)',
    )
    reminders: bool = Field(True, description="whether it gets reminders (messages of open problems only)")
    all_well: bool = Field(True, description='whether it gets the weekly "all is well"')

    @field_validator("url")
    @classmethod
    def _url_is_one_line(cls, v: str) -> str:
        return _no_control(v)


class Notify(_Strict):
    """Sending notifications."""

    mail: Mail = Field(default_factory=Mail, description="mail to the hubs' legacy `email` addresses")
    channels: dict[str, NamedChannel] = Field(
        default_factory=dict,
        description="named channels with their routing, referenced by name from a hub's `notify`",
    )


class Hub(Overrides):  # type: ignore[misc,valid-type]
    """A backed-up server whose tarballs are copied to backup nodes."""

    srvnode: str = Field(description="the folder name its backups live under ({srvnode} in node roots)")
    source: str | None = Field(None, description='the node holding the hub\'s own copy, e.g. "local"')
    nodes: list[str] = Field(default_factory=list, description="backup nodes holding copies")
    select: list[str] = Field(default_factory=list, description='items to watch, "cat/name"; empty: all')
    notify: list[str] = Field(
        default_factory=list,
        description="Apprise URLs to notify, or names of [notify.channels.NAME] (a channel with routing)",
    )
    email: list[Address] = Field(
        default_factory=list, description="addresses to mail (the legacy `email`), through [notify.mail]"
    )
    url: str | None = Field(None, description="link to this hub's page (the legacy `reporturl`)")
    jspath: str | None = Field(
        None, description="write the legacy Highstock JSON per node here ({node} is filled)"
    )
    description: str = Field("", description="a note shown on the hub's page (the legacy `message`)")
    maintenance: list[MaintenanceWindow] = Field(
        default_factory=list,
        description='recurring maintenance windows in the hub\'s `timezone`, e.g. ["sun 02:00-06:00", '
        '"mon-fri 12:00-13:00"]: its problems are shown, not sent, while one is in force',
    )
    items: dict[str, Overrides] = Field(  # type: ignore[valid-type]
        default_factory=dict, description='thresholds for one item, keyed "cat/name"'
    )

    @field_validator("select")
    @classmethod
    def _items_look_like_items(cls, v: list[str]) -> list[str]:
        for s in v:
            if (problem := _item_problem(s)) is not None:
                raise ValueError(problem)
        return v

    @field_validator("items")
    @classmethod
    def _item_keys(cls, v: dict[str, Any]) -> dict[str, Any]:
        for s in v:
            if (problem := _item_problem(s)) is not None:
                raise ValueError(problem.replace("expected items", "expected item keys"))
        return v

    @field_validator("url", "jspath")
    @classmethod
    def _one_line(cls, v: str | None) -> str | None:
        return None if v is None else _no_control(v)

    @field_validator("notify")
    @classmethod
    def _urls_are_one_line(cls, v: list[str]) -> list[str]:
        for url in v:
            _no_control(url)
        return v

    @field_validator("srvnode")
    @classmethod
    def _srvnode_is_a_folder_name(cls, v: str) -> str:
        if not v or "/" in v or v in (".", "..") or _CONTROL.search(v):
            raise ValueError(
                f"expected a folder name (not '.' or '..') without '/' or control characters, got {v!r}"
            )
        return v


class Node(_Strict):
    """A machine holding copies of hubs' tarballs, reached by SSH or read locally."""

    transport: Literal["ssh", "local"] = Field("ssh", description='"ssh", or "local" for a folder here')
    host: str | None = Field(
        None,
        description="ssh destination: an alias of ~/.ssh/config, user@host, host:port "
        "(default: the node's tag)",
    )
    port: int | None = Field(
        None, ge=1, le=65535, description="ssh port (default: from host, ~/.ssh/config or 22)"
    )
    user: str | None = Field(None, description="ssh user (default: from host, ~/.ssh/config or yours)")
    root: str = Field(
        DEFAULT_ROOT,
        description="folder of a hub's backups; {srvnode} is filled, $VARS are expanded by the node's shell",
    )
    timeout: Duration | None = Field(None, description="overrides defaults.timeout for this node")
    capacity_warn: int | None = Field(
        None, ge=0, description="overrides its hubs' capacity_warn for this node"
    )
    capacity_alarm: int | None = Field(
        None, ge=0, description="overrides its hubs' capacity_alarm for this node"
    )
    maintenance: list[MaintenanceWindow] = Field(
        default_factory=list,
        description="recurring maintenance windows of this node, in each of its hubs' `timezone`",
    )

    @field_validator("host", "user", "root")
    @classmethod
    def _one_line(cls, v: str | None) -> str | None:
        return None if v is None else _no_control(v)


class Config(_Strict):
    """The whole configuration file."""

    store: Store = Field(default_factory=Store)
    publish: Publish = Field(default_factory=Publish)
    defaults: Defaults = Field(default_factory=Defaults)
    hubs: dict[str, Hub] = Field(default_factory=dict)
    nodes: dict[str, Node] = Field(default_factory=dict)
    notify: Notify = Field(default_factory=Notify)

    @model_validator(mode="after")
    def _nodes_are_defined(self) -> Config:
        for tag in self.nodes:
            if (problem := tag_problem(tag)) is not None:
                raise _KeyError(f"nodes.{toml_key(tag)}", problem)
        defined = sorted(self.nodes)
        for tag, hub in self.hubs.items():
            if not NAME_RE.match(tag):
                raise _KeyError(
                    f"hubs.{toml_key(tag)}", f"hub tag {tag!r} is not allowed; a hub tag is {HUB_TAGS}"
                )
            for key, names in (("source", [hub.source] if hub.source else []), ("nodes", hub.nodes)):
                for n in names:
                    if n not in self.nodes:
                        raise _KeyError(
                            f"hubs.{tag}.{key}",
                            f"node {n!r} is not defined; add a [nodes.{toml_key(n)}] table"
                            + (f" or use one of: {', '.join(defined)}" if defined else ""),
                        )
        return self

    @model_validator(mode="after")
    def _channels_are_defined(self) -> Config:
        named = sorted(self.notify.channels)
        for name, channel in self.notify.channels.items():
            if not NAME_RE.match(name):
                raise _KeyError(
                    f"notify.channels.{toml_key(name)}",
                    f"channel name {name!r} is not allowed; a channel name is {HUB_TAGS}",
                )
            for hub in channel.hubs:
                if hub not in self.hubs:
                    raise _KeyError(
                        f"notify.channels.{toml_key(name)}.hubs",
                        f"hub {hub!r} is not defined; configured: {', '.join(self.hubs) or '(none)'}",
                    )
        for tag, hub in self.hubs.items():
            for i, entry in enumerate(hub.notify):
                if not is_url(entry) and entry not in self.notify.channels:
                    raise _KeyError(
                        f"hubs.{toml_key(tag)}.notify[{i}]",
                        f"expected an Apprise URL (scheme://…) or the name of a [notify.channels.NAME] "
                        f"table, got {short_repr(entry)}"
                        + (f"; channels: {', '.join(named)}" if named else ""),
                    )
        return self

    @model_validator(mode="after")
    def _thresholds_agree(self) -> Config:
        """keep_min ≤ keep_max and stale_warn ≤ stale_alarm, as they are in effect: in the
        defaults, for each hub, and for each item with thresholds of its own. A disagreement is
        named at the most specific table that sets one of the two."""
        chains: list[list[tuple[str, BaseModel]]] = [[("defaults", self.defaults)]]
        for tag, hub in self.hubs.items():
            at_hub: list[tuple[str, BaseModel]] = [(f"hubs.{toml_key(tag)}", hub), *chains[0]]
            chains.append(at_hub)
            chains.extend(
                [(f'{at_hub[0][0]}.items."{item}"', over), *at_hub] for item, over in hub.items.items()
            )
        for chain in chains:
            where, table = chain[0]
            for low, high in (
                ("keep_min", "keep_max"),
                ("stale_warn", "stale_alarm"),
                ("capacity_alarm", "capacity_warn"),
            ):
                lo, hi = (_effective(chain, k) for k in (low, high))
                if lo[0] <= hi[0] or (getattr(table, low) is None and getattr(table, high) is None):
                    continue  # agreeing, or inherited as it is: named where it was set
                key = low if getattr(table, low) is not None else high
                raise _KeyError(
                    f"{where}.{key}",
                    f"{low} ({_show(lo[0])}, from {lo[1]}) is above {high} ({_show(hi[0])}, from {hi[1]}); "
                    f"{low} must be at most {high}",
                )
        return self

    # -- derived views ------------------------------------------------------------------

    def thresholds(self, hub: str, item: str | None = None) -> Defaults:
        """Given a hub tag and optionally an item, return the effective thresholds."""
        h = self.hubs[hub]
        update = _set_fields(h, Overrides.model_fields)
        if item is not None and item in h.items:
            update.update(_set_fields(h.items[item], Overrides.model_fields))
        # The values were validated where they were set: copying them over needs no validation.
        return self.defaults.model_copy(update=update) if update else self.defaults

    def node_timeout(self, node: str) -> timedelta:
        """Given a node tag, return its timeout."""
        return self.nodes[node].timeout or self.defaults.timeout

    def hub_nodes(self, hub: str) -> list[str]:
        """Given a hub tag, return every node to list for it: the source first, then the nodes."""
        h = self.hubs[hub]
        out = [h.source] if h.source else []
        out += [n for n in h.nodes if n not in out]
        return out


def is_url(entry: str) -> bool:
    """Given an entry of a hub's `notify`, return whether it is a URL (else: a channel's name)."""
    return "://" in entry


class _KeyError(ValueError):
    """A cross-field problem at a known key (carried through pydantic to the loader)."""

    def __init__(self, key: str, problem: str):
        self.key, self.problem = key, problem
        super().__init__(f"{key}: {problem}")


def _effective(chain: list[tuple[str, BaseModel]], key: str) -> tuple[Any, str]:
    """Given tables from the most specific (an item's) to the defaults, return a threshold's
    value in effect and the key that sets it."""
    for where, table in chain:
        v = getattr(table, key)
        if v is not None:
            return v, f"{where}.{key}"
    raise AssertionError(f"defaults.{key} is always set")


def _show(v: Any) -> str:
    return format_duration(v) if isinstance(v, timedelta) else str(v)


def _set_fields(m: BaseModel, names: dict[str, Any]) -> dict[str, Any]:
    return {k: getattr(m, k) for k in names if getattr(m, k) is not None}


def ssh_destination(tag: str, node: Node) -> tuple[str, int | None, str | None]:
    """Given a node tag and its config, return (host, port, user) for ssh.

    "Z9:229" gives ("Z9", 229, None); "blyth@C:2222" gives ("C", 2222, "blyth"); an IPv6 address
    takes a port only in brackets ("[::1]:22"). Explicit `port` and `user` keys win over what the
    destination says."""
    dest = node.host or tag
    user = None
    if "@" in dest:
        user, dest = dest.rsplit("@", 1)
    host, port = host_port(dest)
    return host, node.port or port, node.user or user


def host_port(dest: str) -> tuple[str, int | None]:
    """Given "Z9:229", "Z9", "[::1]:22" or "fe80::1", return (host, port or None): a port only
    when the host has no colon (a bare IPv6 address has several) or is in brackets."""
    m = re.fullmatch(r"([^:\[\]]*):([0-9]+)", dest)
    if m:
        return m.group(1), int(m.group(2))
    m = re.fullmatch(r"\[([^\[\]]*)\](?::([0-9]+))?", dest)
    if m:
        return m.group(1), int(m.group(2)) if m.group(2) else None
    return dest, None
