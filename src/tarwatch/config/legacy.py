"""The legacy configuration pair of the original scm-backup-monitor.

`~/.scm_monitor.cnf` has one section per hub tag (srvnode, dbpath, jspath, select, reporturl,
message, email). `~/.libfab.cnf` has `[HUB]` (hub tag = space-separated node tags such as `C H1`
or `Z9:229`), `[ENV]` (timeout in seconds, verbose) and per-host sections named by node tag
(host/hostname, user, port, root, scm_fold).

`read_legacy` turns the pair into a dict shaped like tarwatch.toml; `load_legacy` validates one
hub of it at run time (`--legacy HUB`); `import_legacy` writes the TOML text
(`tarwatch config import`) through tarwatch.config.toml, the one writer. The pair names no
time zone: both take the machine's (`legacy_timezone`).

The original system's SQLite file (`dbpath`) is never written: tarwatch keeps its own store
beside it, in the same folder, named tarwatch.db (`store_beside`). Every $VAR of dbpath and
jspath must be set when the pair is read; an unset one is an error naming the key."""

from __future__ import annotations

import configparser
import contextlib
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tarwatch.config.models import HUB_TAGS, NAME_RE, SHELL_VAR, Config, host_port, tag_problem
from tarwatch.config.toml import to_toml, toml_key
from tarwatch.config.validate import validate
from tarwatch.durations import parse_duration
from tarwatch.errors import ConfigError
from tarwatch.visible import visible

log = logging.getLogger(__name__)

SCM_MONITOR_NAME = ".scm_monitor.cnf"
LIBFAB_NAME = ".libfab.cnf"
MISSING = "no such file (the legacy pair is ~/.scm_monitor.cnf and ~/.libfab.cnf)"
UNSET = "environment variable ${name} is not set; set it (export {name}=...) and run again"
STORE_NAME = "tarwatch.db"
NO_TIMEZONE = (
    "NOT VALID YET: set defaults.timezone (the time zone of the dated folders, e.g. "
    '"Asia/Shanghai"): this machine names none (no /etc/timezone, /etc/localtime is no link '
    "into a zoneinfo folder)"
)

HUB_KEYS = ("srvnode", "dbpath", "jspath", "select", "reporturl", "message", "email")
HOST_KEYS = ("host", "hostname", "user", "port", "root", "scm_fold")
ENV_KEYS = ("timeout", "verbose")
SPECIAL_SECTIONS = ("HUB", "ENV")

_INTERPOLATION = re.compile(r"%%|%\(([^)]*)\)s")
_SECONDS = re.compile(r"\d+(?:\.\d+)?")
_MAX_DEPTH = 10


def read_legacy(
    scm_monitor: Path, libfab: Path, environ: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Given the two legacy files and the environment for $VARS (default os.environ), return
    (a dict shaped like tarwatch.toml with every hub, notes for the person converting).

    Raise ConfigError for a missing or unparsable file, a bad value, or an unset $VAR in a
    dbpath or jspath."""
    return _Reader(scm_monitor, libfab, environ, strict=True).read()


def load_legacy(
    hub: str,
    home: Path | None = None,
    environ: Mapping[str, str] | None = None,
    etc: Path = Path("/etc"),
) -> tuple[Config, str]:
    """Given a hub tag, the home folder holding .scm_monitor.cnf and .libfab.cnf (default
    Path.home()), the environment and the machine's /etc, return (Config with just that hub
    and its nodes, source).

    The time zone of the dated folders is the machine's, as `config import` takes it
    (legacy_timezone); UTC when the machine names none. Raise ConfigError if the hub has
    no section, or the pair is wrong or does not validate."""
    home = Path.home() if home is None else Path(home)
    scm_monitor, libfab = home / SCM_MONITOR_NAME, home / LIBFAB_NAME
    data, _notes = _Reader(scm_monitor, libfab, environ, strict=True).read(only=hub)
    zone, note = legacy_timezone(etc)
    _take_timezone(data, zone)
    log.info("legacy configuration: %s", note)
    source = f"legacy {scm_monitor} + {libfab} [{hub}]"
    return validate(data, source), source


def import_legacy(
    scm_monitor: Path,
    libfab: Path,
    environ: Mapping[str, str] | None = None,
    etc: Path = Path("/etc"),
) -> str:
    """Given the two legacy files, the environment (default os.environ) and the machine's /etc,
    return the TOML text for all their hubs.

    $VARS are expanded from the environment; an unset one is a ConfigError naming the key. An
    unknown %(name)s is kept as text with a note. The time zone is the machine's
    (legacy_timezone, as `--legacy` takes it); when it names none, a note at the top says
    to set it. If the result does not validate, a note at the top says where."""
    data, notes = _Reader(scm_monitor, libfab, environ, strict=False).read()
    zone, note = legacy_timezone(etc)
    _take_timezone(data, zone)
    if zone is None:
        notes.insert(0, NO_TIMEZONE)
    else:
        notes.append(f"{note}; check it")
    try:
        validate(data, "the converted file")
    except ConfigError as e:
        where = f"at '{e.key}': " if e.key else ""
        notes.insert(0, f"NOT VALID YET, fix before use: {where}{e.problem}")
    return to_toml(data, notes, sources=[scm_monitor, libfab])


def legacy_timezone(etc: Path = Path("/etc")) -> tuple[str | None, str]:
    """Given the machine's /etc, return (the time zone the legacy pair's dated folders are read
    in: the machine's (machine_timezone), None when it names none (then UTC, the default), one
    line saying which zone was taken and where from). The pair has no time zone key: `--legacy`
    and `config import` both take it here, and `config show --legacy` prints the line."""
    found = machine_timezone(etc)
    if found is None:
        return None, (
            "defaults.timezone 'UTC': this machine names no time zone (no timezone file in "
            f"{etc}, its localtime is no link into a zoneinfo folder)"
        )
    zone, where = found
    return zone, f"defaults.timezone {zone!r} is this machine's time zone ({where})"


def _take_timezone(data: dict[str, Any], zone: str | None) -> None:
    if zone is not None:
        data.setdefault("defaults", {})["timezone"] = zone


def store_beside(dbpath: str) -> str:
    """Given the original system's SQLite file, return the path of tarwatch's own store: the
    same folder, tarwatch.db (tarwatch-store.db if the old file already has that name)."""
    old = Path(dbpath)
    name = "tarwatch-store.db" if old.name == STORE_NAME else STORE_NAME
    return str(old.parent / name)


def machine_timezone(etc: Path = Path("/etc")) -> tuple[str, str] | None:
    """Given the machine's /etc, return (its IANA time zone, where it was read: the `timezone`
    file, else the `localtime` link pointing inside a zoneinfo folder), or None when it names
    no known zone."""
    candidates: list[tuple[str, str]] = []
    with contextlib.suppress(OSError, UnicodeDecodeError):
        candidates.append(((etc / "timezone").read_text(encoding="utf-8").strip(), str(etc / "timezone")))
    try:
        target = os.readlink(etc / "localtime")
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        candidates.append((target.split("zoneinfo/", 1)[1], f"the {etc / 'localtime'} link"))
    for zone, where in candidates:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
        return zone, where
    return None


# -- reading -------------------------------------------------------------------------------


class _Parser(configparser.RawConfigParser):
    """RawConfigParser (no interpolation) keeping the spelling of keys; _Reader folds their case."""

    def optionxform(self, optionstr: str) -> str:
        return optionstr


class _Reader:
    """One reading of the pair. `strict` makes an unset $VAR or unknown %(name)s an error; without
    it they are kept as text and noted."""

    def __init__(
        self,
        scm_monitor: Path,
        libfab: Path,
        environ: Mapping[str, str] | None,
        strict: bool,
    ):
        self.scm_path, self.fab_path = Path(scm_monitor), Path(libfab)
        self.env: Mapping[str, str] = os.environ if environ is None else environ
        self.strict = strict
        self.notes: list[str] = []

    # notes and warnings ----------------------------------------------------------------

    def _note(self, msg: str) -> None:
        if msg in self.notes:
            return
        log.info("legacy configuration: %s", msg)
        self.notes.append(msg)

    def _warn(self, msg: str) -> None:
        log.warning("legacy configuration: %s", msg)
        self.notes.append(msg)

    # the whole pair --------------------------------------------------------------------

    def read(self, only: str | None = None) -> tuple[dict[str, Any], list[str]]:
        scm = self._parse(self.scm_path)
        fab = self._parse(self.fab_path)
        sections = scm.sections()
        if only is not None and only not in sections:
            raise ConfigError(
                str(self.scm_path),
                None,
                f"no section [{only}]; sections: {', '.join(sections) or '(none)'}",
            )
        hub_map = self._hub_map(fab)

        hubs: dict[str, dict[str, Any]] = {}
        store_url: str | None = None
        store_from = ""
        for tag in sections:
            if only is not None and tag != only:
                continue
            hub, url = self._hub(scm, tag, hub_map)
            hubs[tag] = hub
            if url is None:
                continue
            if store_url is None:
                store_url, store_from = url, tag
            elif url != store_url:
                self._note(
                    f"hub {tag}: dbpath gives {url}, unlike hub {store_from}; tarwatch keeps one "
                    f"store for all hubs, so {store_url} is used"
                )

        if only is None:
            known = {t.lower() for t in sections}
            for lower, (orig, _nodes) in hub_map.items():
                if lower not in known:
                    self._note(
                        f"hub {orig}: in [HUB] of {self.fab_path} but without a section (srvnode) "
                        f"in {self.scm_path}; skipped"
                    )

        nodes: dict[str, dict[str, Any]] = {}
        used_sections: set[str] = set()
        for hub in hubs.values():
            for tag in hub["nodes"]:
                if tag not in nodes:
                    nodes[tag] = self._node(fab, tag, used_sections)
        if only is None:
            for s in fab.sections():
                if s not in SPECIAL_SECTIONS and s not in used_sections:
                    self._note(f"[{s}] in {self.fab_path}: no hub uses node {s}; skipped")

        data: dict[str, Any] = {}
        if store_url is not None:
            data["store"] = {"url": store_url}
        defaults = self._defaults(fab)
        if defaults:
            data["defaults"] = defaults
        data["hubs"] = hubs
        data["nodes"] = nodes
        return data, self.notes

    def _parse(self, path: Path) -> _Parser:
        if path.is_dir():
            raise ConfigError(str(path), None, "is a folder, not a configuration file")
        if not path.is_file():
            raise ConfigError(str(path), None, MISSING)
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise ConfigError(str(path), None, f"cannot read: {e.strerror or e}") from e
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
            self._note(f"{path} is not UTF-8; read as Latin-1")
        parser = _Parser(strict=True, inline_comment_prefixes=(";",), interpolation=None)
        try:
            parser.read_string(text, source=str(path))
        except configparser.Error as e:
            raise ConfigError(str(path), None, f"not a valid INI file: {e}") from e
        return parser

    # scm_monitor.cnf: the hubs ---------------------------------------------------------

    def _hub(
        self, scm: _Parser, tag: str, hub_map: dict[str, tuple[str, list[str]]]
    ) -> tuple[dict[str, Any], str | None]:
        """Given a section of scm_monitor.cnf, return (the hub's table, its store URL or None)."""
        file = str(self.scm_path)
        values = {k: _unquote(v) for k, (_orig, v) in _options(scm, tag, file).items()}
        for k in values:
            if k not in HUB_KEYS:
                self._warn(f"{file}: [{tag}] unknown key {k!r} ignored; known: {', '.join(HUB_KEYS)}")
        srvnode = values.get("srvnode", "").strip()
        if not srvnode:
            raise ConfigError(
                file,
                f"{tag}.srvnode",
                "required key is missing (the folder name of the hub's backups)",
            )
        hub: dict[str, Any] = {"srvnode": srvnode}
        values["srvnode"] = srvnode

        entry = hub_map.get(tag.lower())
        if entry is None:
            hub["nodes"] = []
            self._note(
                f"hub {tag}: not in [HUB] of {self.fab_path}, so it has no nodes; "
                f"add `{tag} = NODE ...` there or fill hubs.{toml_key(tag)}.nodes"
            )
        else:
            hub["nodes"] = entry[1]
        if "select" in values:
            hub["select"] = values["select"].split()
        if "email" in values:
            hub["email"] = [a for a in re.split(r"[\s,]+", values["email"]) if a]
        if "reporturl" in values:
            hub["url"] = self._interpolate(tag, "reporturl", values)
        if "jspath" in values:
            hub["jspath"] = self._expand(tag, "jspath", self._interpolate(tag, "jspath", values))
        if "message" in values:
            hub["description"] = values["message"]

        url = None
        if "dbpath" in values:
            path = self._expand(tag, "dbpath", self._interpolate(tag, "dbpath", values))
            path = os.path.abspath(os.path.join(self.scm_path.parent, path))
            own = store_beside(path)
            self._note(
                f"dbpath {path} is the original system's file; tarwatch never writes "
                f"to it and keeps its own store beside it, {own}"
            )
            url = "sqlite:///" + own
        return hub, url

    def _interpolate(self, tag: str, key: str, values: Mapping[str, str], depth: int = 0) -> str:
        """Given a hub's key, return its value with %(node)s as {node}, %(name)s as the value of
        the section's key `name` (srvnode, usually) and %% as %, as the legacy ConfigParser did."""
        if depth > _MAX_DEPTH:
            raise ConfigError(
                str(self.scm_path), f"{tag}.{key}", "%(name)s references nest too deep (a loop?)"
            )

        def repl(m: re.Match[str]) -> str:
            if m.group(0) == "%%":
                return "%"
            name = m.group(1).lower()
            if name == "node":
                return "{node}"
            if name in values:
                return self._interpolate(tag, name, values, depth + 1)
            problem = (
                f"%({m.group(1)})s names no key of [{tag}]; "
                f"use %(node)s or one of: {', '.join(sorted(values))}"
            )
            if self.strict:
                raise ConfigError(str(self.scm_path), f"{tag}.{key}", problem)
            self._note(f"hub {tag}: {key}: {problem}; kept as text, edit it")
            return m.group(0)

        return _INTERPOLATION.sub(repl, values[key])

    def _expand(self, tag: str, key: str, text: str) -> str:
        """Given a hub's dbpath or jspath, return it with $VARS, ${VARS} and a leading ~ expanded
        from the environment. An unset variable is an error naming the key, strict or not: a path
        with `$NAME` left in it would make a folder named so."""
        missing: list[str] = []

        def repl(m: re.Match[str]) -> str:
            name = m.group(1) or m.group(2)
            if name in self.env:
                return self.env[name]
            missing.append(name)
            return m.group(0)

        out = SHELL_VAR.sub(repl, text)
        if missing:
            raise ConfigError(str(self.scm_path), f"{tag}.{key}", UNSET.format(name=missing[0]))
        if out == "~" or out.startswith("~/"):
            out = (self.env.get("HOME") or str(Path.home())) + out[1:]
        return out

    # libfab.cnf: [HUB], [ENV] and the hosts ---------------------------------------------

    def _hub_map(self, fab: _Parser) -> dict[str, tuple[str, list[str]]]:
        """Return [HUB] as {hub tag in lower case: (tag as written, node tags)}."""
        if not fab.has_section("HUB"):
            self._note(f"{self.fab_path} has no [HUB] section, so no hub has nodes")
            return {}
        file = str(self.fab_path)
        out = {}
        for lower, (orig, v) in _options(fab, "HUB", file).items():
            if not NAME_RE.match(orig):
                raise ConfigError(
                    file, f"HUB.{visible(orig)}", f"hub tag {orig!r} is not allowed; a hub tag is {HUB_TAGS}"
                )
            tags = list(dict.fromkeys(_unquote(v).split()))
            for tag in tags:
                if (problem := tag_problem(tag)) is not None:
                    raise ConfigError(file, f"HUB.{visible(orig)}", problem)
            out[lower] = (orig, tags)
        return out

    def _defaults(self, fab: _Parser) -> dict[str, Any]:
        if not fab.has_section("ENV"):
            return {}
        file = str(self.fab_path)
        out: dict[str, Any] = {}
        for k, (_orig, v) in _options(fab, "ENV", file).items():
            v = _unquote(v).strip()
            if k == "timeout":
                out["timeout"] = _timeout(v, file)
            elif k == "verbose":
                self._note("[ENV] verbose is not carried over; use `tarwatch -v`")
            else:
                self._warn(f"{file}: [ENV] unknown key {k!r} ignored; known: {', '.join(ENV_KEYS)}")
        return out

    def _node(self, fab: _Parser, tag: str, used_sections: set[str]) -> dict[str, Any]:
        """Given a node tag ("C", "Z9:229"), return its table, filled from its per-host section."""
        file = str(self.fab_path)
        host, tag_port = host_port(tag)
        node: dict[str, Any] = {"host": host}
        if tag_port is not None:
            node["port"] = tag_port

        section = next(
            (s for s in dict.fromkeys((tag, host)) if s not in SPECIAL_SECTIONS and fab.has_section(s)),
            None,
        )
        if section is None:
            return node
        used_sections.add(section)
        values = {k: _unquote(v).strip() for k, (_orig, v) in _options(fab, section, file).items()}
        for k in values:
            if k not in HOST_KEYS:
                self._warn(f"{file}: [{section}] unknown key {k!r} ignored; known: {', '.join(HOST_KEYS)}")

        if values.get("host") and values.get("hostname"):
            self._note(f"[{section}] gives both host and hostname; host {values['host']!r} is used")
        if values.get("host") or values.get("hostname"):
            node["host"] = values.get("host") or values["hostname"]
        if values.get("user"):
            node["user"] = values["user"]
        if values.get("port"):
            try:
                port = int(values["port"])
            except ValueError:
                raise ConfigError(
                    file,
                    f"{section}.port",
                    f"expected a port number 1-65535, got {values['port']!r}",
                ) from None
            if tag_port is not None and port != tag_port:
                self._note(
                    f"node {tag}: [{section}] says port {port} but the tag says {tag_port}; "
                    f"{tag_port} is used"
                )
            else:
                node["port"] = port
        if values.get("root"):
            node["root"] = re.sub(r"%\(srvnode\)s", "{srvnode}", values["root"], flags=re.I)
            if values.get("scm_fold"):
                self._note(f"[{section}] gives both root and scm_fold; root is used")
        elif values.get("scm_fold"):
            node["root"] = values["scm_fold"].rstrip("/") + "/backup/{srvnode}"
        return node


def _options(parser: _Parser, section: str, file: str) -> dict[str, tuple[str, str]]:
    """Return a section's keys, case folded: {key in lower case: (key as written, value)}."""
    out: dict[str, tuple[str, str]] = {}
    for k, v in parser.items(section):
        lower = k.lower()
        if lower in out:
            raise ConfigError(
                file,
                f"{section}.{k}",
                f"given twice, as {out[lower][0]!r} and {k!r} (keys are case-insensitive)",
            )
        out[lower] = (k, v)
    return out


def _unquote(v: str) -> str:
    """Given an INI value, return it without one pair of surrounding double quotes."""
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] == '"':
        return v[1:-1]
    return v


def _timeout(v: str, file: str) -> str:
    """Given [ENV] timeout (seconds, as the legacy fabric read it), return a duration string."""
    if _SECONDS.fullmatch(v):
        return f"{v}s"
    try:
        parse_duration(v)
    except ValueError:
        raise ConfigError(file, "ENV.timeout", f"expected a number of seconds such as 2, got {v!r}") from None
    return v
