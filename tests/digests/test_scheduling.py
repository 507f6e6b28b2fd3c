"""When each subscriber's next digest is due: 07:00 in their own time zone, across DST."""

import datetime
import types
import zoneinfo

import pytest

from digests.scheduling import DIGEST_LOCAL_HOUR, next_digest_at

UTC = datetime.UTC


def sub(frequency="daily", weekday=0, time_zone="UTC"):
    return types.SimpleNamespace(frequency=frequency, weekday=weekday, time_zone=time_zone)


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def local(result, zone):
    return result.astimezone(zoneinfo.ZoneInfo(zone))


def test_daily_in_utc_is_seven_the_same_day_or_the_next():
    assert next_digest_at(sub(), utc(2026, 3, 2, 6, 59)) == utc(2026, 3, 2, 7)
    assert next_digest_at(sub(), utc(2026, 3, 2, 7)) == utc(2026, 3, 3, 7)  # strictly after


def test_result_is_aware_utc():
    result = next_digest_at(sub(time_zone="Asia/Kolkata"), utc(2026, 1, 1))
    assert result.utcoffset() == datetime.timedelta(0)


def test_naive_after_is_refused():
    with pytest.raises(ValueError, match="aware"):
        next_digest_at(sub(), datetime.datetime(2026, 1, 1))


def test_kolkata_half_hour_offset():
    # 07:00 IST is 01:30 UTC.
    assert next_digest_at(sub(time_zone="Asia/Kolkata"), utc(2026, 6, 1, 1)) == utc(
        2026, 6, 1, 1, 30
    )
    # After 01:30 UTC the next one is tomorrow.
    assert next_digest_at(sub(time_zone="Asia/Kolkata"), utc(2026, 6, 1, 2)) == utc(
        2026, 6, 2, 1, 30
    )


def test_new_york_keeps_seven_local_across_march_switch():
    zone = "America/New_York"
    # 2026-03-08 clocks go forward: EST (UTC-5) before, EDT (UTC-4) after.
    saturday = next_digest_at(sub(time_zone=zone), utc(2026, 3, 7, 0))
    sunday = next_digest_at(sub(time_zone=zone), saturday)
    monday = next_digest_at(sub(time_zone=zone), sunday)
    assert saturday == utc(2026, 3, 7, 12)
    assert sunday == utc(2026, 3, 8, 11)
    assert monday == utc(2026, 3, 9, 11)
    for result in (saturday, sunday, monday):
        assert local(result, zone).hour == DIGEST_LOCAL_HOUR
    assert sunday - saturday == datetime.timedelta(hours=23)


def test_new_york_keeps_seven_local_across_november_switch():
    zone = "America/New_York"
    # 2026-11-01 clocks go back: EDT before, EST after.
    before = next_digest_at(sub(time_zone=zone), utc(2026, 10, 31, 12))
    after = next_digest_at(sub(time_zone=zone), before)
    assert before == utc(2026, 11, 1, 12)  # 07:00 EST on the switch day (after 02:00)
    assert local(before, zone).hour == 7
    assert after == utc(2026, 11, 2, 12)
    assert local(after, zone).hour == 7


def test_auckland_ahead_of_utc_and_its_april_switch():
    zone = "Pacific/Auckland"
    # Auckland is UTC+13 in January: 07:00 on 15 Jan local is 18:00 UTC on 14 Jan.
    assert next_digest_at(sub(time_zone=zone), utc(2026, 1, 14, 12)) == utc(2026, 1, 14, 18)
    # 2026-04-05 NZDT ends (UTC+13 → UTC+12).
    first = next_digest_at(sub(time_zone=zone), utc(2026, 4, 3, 12))
    second = next_digest_at(sub(time_zone=zone), first)
    assert local(first, zone).date() == datetime.date(2026, 4, 4)
    assert local(second, zone).date() == datetime.date(2026, 4, 5)
    assert local(first, zone).hour == 7
    assert local(second, zone).hour == 7
    assert second - first == datetime.timedelta(hours=25)


def test_weekly_on_the_chosen_weekday():
    # 2026-03-04 is a Wednesday; weekday 4 is Friday.
    result = next_digest_at(sub("weekly", 4, "America/New_York"), utc(2026, 3, 4, 15))
    assert local(result, "America/New_York") == datetime.datetime(
        2026, 3, 6, 7, tzinfo=zoneinfo.ZoneInfo("America/New_York")
    )
    # Friday at 07:00 exactly: the next is a week later, after the March switch.
    following = next_digest_at(sub("weekly", 4, "America/New_York"), result)
    assert following == utc(2026, 3, 13, 11)


def test_weekly_on_today_before_seven_is_today():
    # 2026-03-02 is a Monday.
    assert next_digest_at(sub("weekly", 0), utc(2026, 3, 2, 6)) == utc(2026, 3, 2, 7)
    assert next_digest_at(sub("weekly", 0), utc(2026, 3, 2, 8)) == utc(2026, 3, 9, 7)


def test_weekly_when_the_local_date_is_ahead_of_utc():
    # Sunday 20:00 UTC is already Monday 09:00 in Auckland: Monday 07:00 has passed there.
    result = next_digest_at(sub("weekly", 0, "Pacific/Auckland"), utc(2026, 3, 1, 20))
    assert local(result, "Pacific/Auckland").date() == datetime.date(2026, 3, 9)


def test_monthly_on_the_first():
    assert next_digest_at(sub("monthly"), utc(2026, 1, 15)) == utc(2026, 2, 1, 7)
    assert next_digest_at(sub("monthly"), utc(2026, 12, 1, 7)) == utc(2027, 1, 1, 7)
    kolkata = next_digest_at(sub("monthly", time_zone="Asia/Kolkata"), utc(2026, 2, 28, 12))
    assert kolkata == utc(2026, 3, 1, 1, 30)


def test_monthly_in_new_york_after_the_november_switch():
    result = next_digest_at(sub("monthly", time_zone="America/New_York"), utc(2026, 11, 1, 12))
    assert result == utc(2026, 12, 1, 12)


def test_unknown_time_zone_falls_back_to_utc():
    assert next_digest_at(sub(time_zone="Mars/Olympus"), utc(2026, 3, 2)) == utc(2026, 3, 2, 7)


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/New_York", "Pacific/Auckland"])
@pytest.mark.parametrize("frequency", ["daily", "weekly", "monthly"])
def test_always_strictly_later_and_at_seven_local(zone, frequency):
    after = utc(2026, 1, 1)
    for _ in range(60):
        result = next_digest_at(sub(frequency, 2, zone), after)
        assert result > after
        assert local(result, zone).hour == DIGEST_LOCAL_HOUR
        if frequency == "weekly":
            assert local(result, zone).weekday() == 2
        if frequency == "monthly":
            assert local(result, zone).day == 1
        after = result
