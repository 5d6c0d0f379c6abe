"""drill: a failed restore drill is an alarm naming the file and the error; a tarball too large
for drill_bytes a warning."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from tarwatch.checks import drill
from tarwatch.history import Tar, summarize
from tarwatch.records import Drill, ItemDrills, Status

UTC = ZoneInfo("UTC")
PATH = "/b/repos/env/2012/08/04/171125/env-1.tar.gz"


def hist(size: int = 100):
    return summarize([("repos/env", Tar(1344000000, size, PATH))])["repos/env"]


def test_a_failed_drill_is_an_alarm_naming_the_file_the_error_and_the_last_good_one():
    bad = Drill(PATH, "repos/env", 100, 1.0, 2e9, "gzip", False, "gzip exit status 1: crc error", "crc error")
    good = Drill("/b/old.tar.gz", "repos/env", 90, 1.0, 1.9e9, "gzip", True)
    f = drill.check(hist(), ItemDrills(bad, good, 1343900000), "gzip", 1000, 3, UTC)
    assert f is not None and f.status is Status.ALARM
    assert PATH in f.message and "crc error" in f.message and "2012/08/02 tarball" in f.message
    assert "within 3 runs" in f.message
    f = drill.check(hist(), ItemDrills(bad), "gzip", 1000, 1, UTC)
    assert f is not None and f.message.endswith("within 1 run")
    f = drill.check(hist(), ItemDrills(bad), "gzip", 1000, None, UTC)
    assert f is not None and "never verified restorable" in f.message


def test_a_passed_drill_or_no_drill_is_quiet_and_size_md5_never_judge():
    ok = Drill(PATH, "repos/env", 100, 1.0, 2e9, "tar", True)
    assert drill.check(hist(), ItemDrills(ok, ok, 1), "tar", 1000, 1, UTC) is None
    assert drill.check(hist(), None, "gzip", 1000, 1, UTC) is None
    bad = Drill(PATH, "repos/env", 100, 1.0, 2e9, "gzip", False, "x")
    assert drill.check(hist(), ItemDrills(bad), "size", 1000, 1, UTC) is None


def test_a_newest_tarball_larger_than_a_run_starts_warns_naming_the_bound():
    f = drill.check(hist(5000), None, "gzip", 1000, None, UTC)
    assert f is not None and f.status is Status.WARN
    assert "larger than drill_bytes, 1000 B: a drill of it is never started" in f.message
    f = drill.check(hist(5000), None, "gzip", 1000, None, UTC, "drill_time")
    assert f is not None and "larger than what drill_time lets a run read" in f.message
    assert "raise drill_time" in f.message
    assert drill.check(hist(900), None, "gzip", 1000, 3, UTC) is None


def test_a_run_starts_what_drill_bytes_and_drill_time_let_it_read_whatever_drill_share():
    assert drill.startable(1000, 10, None) == (1000, "drill_bytes")  # no rate known yet
    assert drill.startable(10**9, 10, 1e6) == (10**7, "drill_time")
    assert drill.startable(10**6, 10, 1e6) == (10**6, "drill_bytes")


def test_a_run_drills_what_its_time_bounds_let_it_read():
    assert drill.per_run(1000, 10, 0.2, None, 50) == 1000  # no rate known yet: bytes alone
    assert drill.per_run(10**9, 10, 0.25, 1e6, 20) == 4 * 10**6  # a fifth of a 20 s collect at 1 MB/s
    assert drill.per_run(10**9, 2, 0.2, 1e6, 100) == 2 * 10**6  # drill_time binds
    assert drill.per_run(10**9, 10, 0.2, 1e6, None) == 10**7  # the first run: drill_time alone
