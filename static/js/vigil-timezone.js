// Show a vigil's grid in the visitor's own time zone, in place: no second page load.
// The server renders the grid in the host's zone (or in the zone ?tz= names, which the
// "Your time zone" form sets without JavaScript). Every time carries its UTC instant in
// <time datetime>; this script writes those times in the browser's zone, regroups the slots
// by local date and hour as the server would, and makes the sign-up form, the day links and
// the "praying now" box follow that zone. Choosing another zone in the list does the same.
(function () {
  "use strict";
  var picker = document.querySelector("select[data-vigil-zone]");
  if (!picker || !window.Intl || !Intl.DateTimeFormat || !window.URLSearchParams) {
    return;
  }
  var shown = picker.value;
  var formats = {};

  function formatter(zone, kind) {
    var key = zone + "|" + kind;
    if (!formats[key]) {
      var options = {
        parts: {
          year: "numeric",
          month: "2-digit",
          day: "2-digit",
          hour: "2-digit",
          minute: "2-digit",
          hourCycle: "h23",
        },
        abbr: { timeZoneName: "short" },
        short: { weekday: "short", day: "numeric", month: "short" },
        long: { weekday: "long", day: "numeric", month: "long" },
      }[kind];
      options.timeZone = zone;
      formats[key] = new Intl.DateTimeFormat(kind === "abbr" ? "en-US" : "en-GB", options);
    }
    return formats[key];
  }

  function local(zone, instant) {
    var values = {};
    formatter(zone, "parts")
      .formatToParts(instant)
      .forEach(function (part) {
        values[part.type] = part.value;
      });
    var abbr = formatter(zone, "abbr")
      .formatToParts(instant)
      .filter(function (part) {
        return part.type === "timeZoneName";
      })[0];
    return {
      date: values.year + "-" + values.month + "-" + values.day,
      hour: values.hour === "24" ? "00" : values.hour,
      time: (values.hour === "24" ? "00" : values.hour) + ":" + values.minute,
      abbr: abbr ? abbr.value : "",
    };
  }

  // "00:00–01:00 IST", both abbreviations when the clocks change in between (as the server).
  function range(start, end) {
    if (start.abbr === end.abbr) {
      return start.time + "–" + end.time + " " + end.abbr;
    }
    return start.time + " " + start.abbr + "–" + end.time + " " + end.abbr;
  }

  function writeTime(zone, time) {
    var start = new Date(time.getAttribute("datetime"));
    var end = new Date(time.getAttribute("data-ends"));
    if (isNaN(start) || isNaN(end)) {
      return null;
    }
    var from = local(zone, start);
    var text = range(from, local(zone, end));
    if (time.hasAttribute("data-long")) {
      text = formatter(zone, "long").format(start) + ", " + text;
    }
    time.textContent = text;
    return { local: from, start: start };
  }

  function cell(tag, text, scope) {
    var element = document.createElement(tag);
    if (text) {
      element.textContent = text;
    }
    if (scope) {
      element.setAttribute("scope", scope);
    }
    return element;
  }

  function regroup(zone, table) {
    var cells = {};
    var dates = {};
    var hours = {};
    table.querySelectorAll(".vigil-slot").forEach(function (slot) {
      var time = slot.querySelector("time[datetime]");
      var written = time && writeTime(zone, time);
      if (!written) {
        return;
      }
      var date = slot.querySelector(".vigil-slot__date");
      if (!date) {
        date = cell("span");
        date.className = "vigil-slot__date visually-hidden";
        time.after(date);
      }
      date.textContent = formatter(zone, "long").format(written.start) + ":";
      var key = written.local.date + " " + written.local.hour;
      (cells[key] = cells[key] || []).push(slot);
      dates[written.local.date] = formatter(zone, "short").format(written.start);
      hours[written.local.hour] = true;
    });
    var dateKeys = Object.keys(dates).sort();
    var head = cell("thead");
    var top = head.appendChild(cell("tr"));
    top.appendChild(cell("th", "Time", "col"));
    dateKeys.forEach(function (date) {
      top.appendChild(cell("th", dates[date], "col"));
    });
    var body = cell("tbody");
    Object.keys(hours)
      .sort()
      .forEach(function (hour) {
        var row = body.appendChild(cell("tr"));
        row.appendChild(cell("th", hour + ":00", "row"));
        dateKeys.forEach(function (date) {
          var td = row.appendChild(cell("td"));
          (cells[date + " " + hour] || []).forEach(function (slot) {
            td.appendChild(slot);
          });
        });
      });
    table.replaceChild(head, table.tHead);
    table.replaceChild(body, table.tBodies[0]);
    var caption = table.caption;
    if (caption) {
      caption.textContent = caption.textContent.replace(
        "in " + shown + " time",
        "in " + zone + " time"
      );
    }
  }

  // "#pick-20260329T0100Z": the slot a link leads to, by its UTC start.
  var PICK = /^#pick-(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)Z$/;

  function withZone(address, zone) {
    var url = new URL(address, window.location.href);
    url.searchParams.set("tz", zone);
    var pick = PICK.exec(url.hash);
    if (pick && url.searchParams.has("day")) {
      // The slot's day in the new zone, so that the page it opens shows it.
      var start = new Date(Date.UTC(+pick[1], +pick[2] - 1, +pick[3], +pick[4], +pick[5]));
      url.searchParams.set("day", local(zone, start).date);
    }
    return url.pathname + url.search + url.hash;
  }

  function show(zone) {
    if (zone === shown) {
      return;
    }
    var table = document.querySelector(".vigil-grid__table");
    if (table) {
      regroup(zone, table);
    }
    document.querySelectorAll("time[data-long][data-ends]").forEach(function (time) {
      writeTime(zone, time);
    });
    document.querySelectorAll("[data-vigil-zone-field]").forEach(function (field) {
      field.value = zone;
    });
    document.querySelectorAll("[data-vigil-zone-name]").forEach(function (name) {
      name.textContent = zone;
    });
    document.querySelectorAll("a[data-vigil-link]").forEach(function (link) {
      link.setAttribute("href", withZone(link.getAttribute("href"), zone));
    });
    var pulse = document.querySelector("[data-vigil-pulse]");
    if (pulse) {
      pulse.setAttribute("data-vigil-pulse", withZone(pulse.getAttribute("data-vigil-pulse"), zone));
    }
    picker.value = zone;
    shown = zone;
  }

  picker.addEventListener("change", function () {
    show(picker.value);
  });

  if (picker.hasAttribute("data-zone-chosen")) {
    return; // the visitor chose this zone: keep it
  }
  var browser;
  try {
    browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  var known = Array.prototype.some.call(picker.options, function (option) {
    return option.value === browser;
  });
  if (known) {
    show(browser);
  }
})();
