// The call form, for the keyboard (no inline script: the CSP forbids it).
// - one submission per press (the server also refuses a second one by its token);
// - in a group marked data-digit-keys, the digit keys pick an option (1–9, 0 for the tenth);
// - a group of checkboxes is one Tab stop, the arrow keys move inside it and Space ticks;
// - 続柄 is only asked when the caller is family: otherwise the group is disabled and Tab passes it by;
// - in a group (or the 相談員 select), typing finds a choice: the first whose label or reading (data-kana)
//   starts with what was typed, in kana (か) or romaji (ka → か), letters typed within a second added together.
(function () {
  "use strict";

  function inputs(group) { return Array.prototype.slice.call(group.querySelectorAll("input[type=radio], input[type=checkbox]")); }

  function pick(input) {
    if (input.type === "radio") {
      input.checked = true;
    } else {
      input.checked = !input.checked;
    }
    input.focus();
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function rove(group, current) {
    inputs(group).forEach(function (box) { box.tabIndex = box === current ? 0 : -1; });
  }

  function digitKeys(group) {
    group.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.altKey || event.metaKey || !/^[0-9]$/.test(event.key)) { return; }
      var options = inputs(group).filter(function (box) { return !box.disabled; });
      var index = event.key === "0" ? 9 : parseInt(event.key, 10) - 1;
      if (index < options.length) {
        event.preventDefault();
        pick(options[index]);
        if (options[index].type === "checkbox") { rove(group, options[index]); }
      }
    });
  }

  function checkboxGroup(group) {
    var boxes = inputs(group).filter(function (box) { return box.type === "checkbox"; });
    if (boxes.length < 2) { return; }
    rove(group, boxes.filter(function (box) { return box.checked; })[0] || boxes[0]);
    group.addEventListener("keydown", function (event) {
      var step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[event.key];
      if (!step) { return; }
      var at = boxes.indexOf(document.activeElement);
      if (at < 0) { return; }
      event.preventDefault();
      var next = boxes[(at + step + boxes.length) % boxes.length];
      rove(group, next);
      next.focus();
    });
  }

  // Romaji to hiragana, for the first characters of a reading: "kaig" → "かい" (an unfinished syllable is left out).
  var SYLLABLES = (function () {
    var table = { a: "あ", i: "い", u: "う", e: "え", o: "お", nn: "ん", "n'": "ん", shi: "し", chi: "ち", tsu: "つ",
      fu: "ふ", ji: "じ", wo: "を", xtu: "っ", ltu: "っ", "-": "ー" };
    var rows = { k: "かきくけこ", s: "さしすせそ", t: "たちつてと", n: "なにぬねの", h: "はひふへほ", m: "まみむめも",
      y: "や い ゆ え よ", r: "らりるれろ", w: "わういえを", g: "がぎぐげご", z: "ざじずぜぞ", d: "だぢづでど",
      b: "ばびぶべぼ", p: "ぱぴぷぺぽ", j: "じゃ じ じゅ じぇ じょ", f: "ふぁ ふぃ ふ ふぇ ふぉ", v: "ゔぁ ゔぃ ゔ ゔぇ ゔぉ" };
    var small = { a: "ゃ", u: "ゅ", o: "ょ" };
    Object.keys(rows).forEach(function (consonant) {
      var kana = rows[consonant].indexOf(" ") < 0 ? rows[consonant].split("") : rows[consonant].split(" ");
      "aiueo".split("").forEach(function (vowel, i) {
        if (!table[consonant + vowel]) { table[consonant + vowel] = kana[i]; }
      });
      if ("kgnhbpmr".indexOf(consonant) >= 0) {
        Object.keys(small).forEach(function (vowel) { table[consonant + "y" + vowel] = kana[1] + small[vowel]; });
      }
    });
    ["sh", "ch"].forEach(function (c) {
      var base = c === "sh" ? "し" : "ち";
      Object.keys(small).forEach(function (vowel) { table[c + vowel] = base + small[vowel]; });
      table[c + "e"] = base + "ぇ";
    });
    return table;
  })();

  function hiragana(text) {
    return text.replace(/[\u30a1-\u30f6]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0x60); });
  }

  function romajiToKana(text) {
    var out = "", i = 0;
    while (i < text.length) {
      var c = text[i], next = text[i + 1];
      if (c === next && c !== "n" && /[bcdfghjkmpqrstvwxyz]/.test(c)) { out += "っ"; i += 1; continue; }
      if (c === "n" && next && !/[aiueoy'n]/.test(next)) { out += "ん"; i += 1; continue; }
      var found = false;
      for (var size = 3; size > 0; size -= 1) {
        var kana = SYLLABLES[text.substr(i, size)];
        if (kana && i + size <= text.length) { out += kana; i += size; found = true; break; }
      }
      if (!found) { break; }  // an unfinished syllable at the end: what came before is matched
    }
    return out;
  }

  function typeahead(group, options, choose) {
    var typed = "", timer = null;
    group.addEventListener("keydown", function (event) {
      var key = event.key;
      if (event.ctrlKey || event.altKey || event.metaKey || !key || key.length !== 1 || key === " ") { return; }
      if (/^[0-9]$/.test(key) && (group.hasAttribute("data-digit-keys") || !typed)) { return; }  // the digit keys
      typed += key.toLowerCase();
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { typed = ""; }, 1000);
      var kana = hiragana(/^[a-z'-]+$/.test(typed) ? romajiToKana(typed) : typed);
      var match = options().filter(function (option) {
        var label = hiragana((option.label || option.dataset.label || "").trim().toLowerCase());
        var reading = option.dataset.kana || "";
        return label.indexOf(typed) === 0 || (kana && (reading.indexOf(kana) === 0 || label.indexOf(kana) === 0));
      })[0];
      if (match) {
        event.preventDefault();
        choose(match);
      }
    });
  }

  function choiceTypeahead(group) {
    function options() {
      return inputs(group).filter(function (box) { return !box.disabled; }).map(function (box) {
        var label = group.querySelector("label[for='" + box.id + "']");
        box.dataset.label = label ? label.textContent.replace(/^\s*[0-9]\s+/, "") : "";
        return box;
      });
    }
    typeahead(group, options, function (box) {
      if (box.type === "radio") {
        pick(box);
      } else {
        rove(group, box);
        box.focus();
      }
    });
  }

  function selectTypeahead(select) {
    typeahead(select, function () {
      return Array.prototype.slice.call(select.options).map(function (option) {
        option.dataset.label = option.textContent;
        return option;
      });
    }, function (option) {
      select.value = option.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function relationFollowsCaller(form) {
    var relation = document.getElementById("fs-caller_relation");
    var caller = document.getElementById("fs-caller_type");
    if (!relation || !caller) { return; }
    function update() {
      var family = caller.querySelector("input[value=family]");
      var asked = !!(family && family.checked);
      relation.disabled = !asked;
      relation.classList.toggle("not-asked", !asked);
    }
    caller.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("call-form");
    if (!form) { return; }
    Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-digit-keys]"), digitKeys);
    Array.prototype.forEach.call(form.querySelectorAll("fieldset.choices"), checkboxGroup);
    Array.prototype.forEach.call(form.querySelectorAll("fieldset.choices"), choiceTypeahead);
    Array.prototype.forEach.call(form.querySelectorAll("select"), selectTypeahead);
    relationFollowsCaller(form);
    form.addEventListener("submit", function () {
      var button = document.getElementById("save-call");
      if (form.dataset.sent) { return; }
      form.dataset.sent = "1";
      window.setTimeout(function () { if (button) { button.disabled = true; button.textContent = "記録中…"; } }, 0);
    });
  });
})();
