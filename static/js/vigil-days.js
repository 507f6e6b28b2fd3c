// A long vigil is shown one day at a time. Keep the slots a visitor ticks on one day while
// they look at other days (sessionStorage, this tab only), so that one sign-up takes them
// all: slots ticked elsewhere go with the form as hidden fields. Without JavaScript each
// day's sign-up adds to the one waiting for its email link (vigils/signups.py).
(function () {
  "use strict";
  var form = document.querySelector("form.vigil-signup");
  var note = document.querySelector("[data-vigil-elsewhere]");
  var storage;
  try {
    storage = window.sessionStorage;
  } catch (error) {
    return;
  }
  if (!form || !note || !storage) {
    return;
  }
  var storeKey = "vigil-chosen:" + window.location.pathname;
  var SLOT_KEY = /^\d{8}T\d{4}Z$/;

  function stored() {
    try {
      var keys = JSON.parse(storage.getItem(storeKey) || "[]");
      return Array.isArray(keys) ? keys.filter(function (key) {
        return typeof key === "string" && SLOT_KEY.test(key);
      }) : [];
    } catch (error) {
      return [];
    }
  }

  function boxes() {
    return form.querySelectorAll('input[type="checkbox"][name="slots"]');
  }

  function hiddenKeys() {
    return Array.prototype.map.call(
      form.querySelectorAll('input[type="hidden"][name="slots"]'),
      function (input) {
        return input.value;
      }
    );
  }

  function chosen() {
    var keys = hiddenKeys();
    boxes().forEach(function (box) {
      if (box.checked) {
        keys.push(box.value);
      }
    });
    return keys;
  }

  function save() {
    try {
      storage.setItem(storeKey, JSON.stringify(chosen()));
    } catch (error) {
      // Storage full or refused: the ticks of this day still go with the form.
    }
  }

  function showNote() {
    var count = hiddenKeys().length;
    note.hidden = count === 0;
    note.textContent =
      "You also ticked " + count + (count === 1 ? " slot" : " slots") +
      " on other days: " + (count === 1 ? "it goes" : "they go") + " with this sign-up.";
  }

  var onPage = {};
  boxes().forEach(function (box) {
    onPage[box.value] = box;
  });
  var carried = {};
  hiddenKeys().forEach(function (key) {
    carried[key] = true;
  });
  stored().forEach(function (key) {
    if (onPage[key]) {
      onPage[key].checked = true;
    } else if (!carried[key]) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "slots";
      input.value = key;
      form.insertBefore(input, form.firstChild);
      carried[key] = true;
    }
  });
  showNote();
  save();
  form.addEventListener("change", function (event) {
    if (event.target.name === "slots") {
      save();
    }
  });
  form.addEventListener("submit", function () {
    // Sent: a page shown after an error carries them on itself.
    storage.removeItem(storeKey);
  });
})();
