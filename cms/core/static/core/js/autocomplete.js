/* Search suggestions for every input with data-autocomplete-url.

   The ARIA 1.2 editable combobox with list autocomplete
   (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/): the input keeps focus; the arrow keys
   move through the suggestions (aria-activedescendant), Enter opens the chosen one, Escape
   closes the list, and a status region tells screen readers how many suggestions there are.

   Progressive enhancement only: without this file the inputs are ordinary search fields whose
   forms submit to the search page, and Enter without a chosen suggestion still does that.

   The endpoint answers {"q": "...", "suggestions": [{"title": "...", "url": "..."}]}. Titles
   are inserted as text, never as HTML, and only same-origin URLs are followed. Texts read to
   screen readers come translated from the input's data attributes ({count} is filled in). */
(function () {
  "use strict";

  var DEBOUNCE_MS = 200;
  var MIN_LENGTH = 2;
  var instances = 0;

  if (!window.fetch || !window.AbortController || !window.URL) {
    return;
  }

  function sameOriginUrl(raw) {
    try {
      var url = new URL(raw, window.location.href);
      return url.origin === window.location.origin ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  /* Where the typed text occurs in the title, preferring the start of a word. */
  function matchAt(title, typed) {
    var lower = title.toLocaleLowerCase();
    var needle = typed.toLocaleLowerCase();
    var first = lower.indexOf(needle);
    for (var at = first; at >= 0; at = lower.indexOf(needle, at + 1)) {
      if (at === 0 || /[\s\-–(«"”']/.test(title.charAt(at - 1))) {
        return at;
      }
    }
    return first;
  }

  /* The title as text nodes, with the matching part in <strong>. */
  function fillTitle(element, title, typed) {
    var at = typed ? matchAt(title, typed) : -1;
    if (at < 0) {
      element.textContent = title;
      return;
    }
    var match = document.createElement("strong");
    match.className = "autocomplete__match";
    match.textContent = title.slice(at, at + typed.length);
    element.appendChild(document.createTextNode(title.slice(0, at)));
    element.appendChild(match);
    element.appendChild(document.createTextNode(title.slice(at + typed.length)));
  }

  function Autocomplete(input) {
    instances += 1;
    this.input = input;
    this.endpoint = input.getAttribute("data-autocomplete-url");
    this.suggestions = [];
    this.active = -1;
    this.timer = null;
    this.request = null;
    this.cache = new Map();

    var listId = (input.id || "autocomplete-" + instances) + "-suggestions";
    var wrapper = input.closest(".autocomplete") || input.parentNode;

    this.list = document.createElement("ul");
    this.list.id = listId;
    this.list.className = "autocomplete__list";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", input.getAttribute("data-autocomplete-label") || "");
    this.list.hidden = true;

    this.status = document.createElement("div");
    this.status.className = "visually-hidden";
    this.status.setAttribute("role", "status");

    wrapper.appendChild(this.list);
    wrapper.appendChild(this.status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");

    input.addEventListener("input", this.onInput.bind(this));
    input.addEventListener("keydown", this.onKeyDown.bind(this));
    input.addEventListener("blur", this.close.bind(this));
    // Keep focus in the input when the list is clicked, so blur does not close it first.
    this.list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    this.list.addEventListener("click", this.onClick.bind(this));
    if (input.form) {
      input.form.addEventListener("submit", this.close.bind(this));
    }
  }

  Autocomplete.prototype.typed = function () {
    return this.input.value.replace(/\s+/g, " ").trim();
  };

  Autocomplete.prototype.onInput = function () {
    var self = this;
    var typed = this.typed();
    window.clearTimeout(this.timer);
    if (typed.length < MIN_LENGTH) {
      this.cancel();
      this.suggestions = [];
      this.close();
      this.announce("");
      return;
    }
    this.timer = window.setTimeout(function () {
      self.load(typed);
    }, DEBOUNCE_MS);
  };

  Autocomplete.prototype.cancel = function () {
    if (this.request) {
      this.request.abort();
      this.request = null;
    }
  };

  Autocomplete.prototype.load = function (typed) {
    var self = this;
    if (this.cache.has(typed)) {
      this.render(typed, this.cache.get(typed));
      return;
    }
    this.cancel();
    var request = new AbortController();
    this.request = request;
    var url = new URL(this.endpoint, window.location.href);
    url.searchParams.set("q", typed);
    window
      .fetch(url.href, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: request.signal,
      })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        var suggestions = [];
        (Array.isArray(data.suggestions) ? data.suggestions : []).forEach(function (item) {
          var href = item && typeof item.title === "string" ? sameOriginUrl(item.url) : null;
          if (href) {
            suggestions.push({ title: item.title, url: href });
          }
        });
        self.cache.set(typed, suggestions);
        if (self.request === request) {
          self.request = null;
        }
        // Only show what belongs to the text in the field now.
        if (self.typed() === typed && document.activeElement === self.input) {
          self.render(typed, suggestions);
        }
      })
      .catch(function () {
        // Aborted or failed: the field keeps working as a plain search.
      });
  };

  Autocomplete.prototype.render = function (typed, suggestions) {
    var self = this;
    this.suggestions = suggestions;
    this.list.textContent = "";
    this.setActive(-1);
    if (!suggestions.length) {
      this.close();
      this.announce("");
      return;
    }
    suggestions.forEach(function (suggestion, index) {
      var option = document.createElement("li");
      option.id = self.list.id + "-" + index;
      option.className = "autocomplete__option";
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.setAttribute("data-index", String(index));
      fillTitle(option, suggestion.title, typed);
      self.list.appendChild(option);
    });
    this.open();
    var template =
      suggestions.length === 1
        ? this.input.getAttribute("data-autocomplete-one")
        : this.input.getAttribute("data-autocomplete-many");
    this.announce((template || "{count}").replace("{count}", String(suggestions.length)));
  };

  Autocomplete.prototype.announce = function (text) {
    if (this.status.textContent !== text) {
      this.status.textContent = text;
    }
  };

  Autocomplete.prototype.isOpen = function () {
    return !this.list.hidden;
  };

  Autocomplete.prototype.open = function () {
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  };

  Autocomplete.prototype.close = function () {
    window.clearTimeout(this.timer);
    this.setActive(-1);
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
  };

  Autocomplete.prototype.setActive = function (index) {
    var previous = this.list.querySelector('[aria-selected="true"]');
    if (previous) {
      previous.setAttribute("aria-selected", "false");
    }
    this.active = index;
    if (index < 0) {
      this.input.removeAttribute("aria-activedescendant");
      return;
    }
    var option = this.list.children[index];
    option.setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", option.id);
    if (option.scrollIntoView) {
      option.scrollIntoView({ block: "nearest" });
    }
  };

  Autocomplete.prototype.move = function (step) {
    var count = this.suggestions.length;
    if (!count) {
      return;
    }
    if (!this.isOpen()) {
      this.open();
      this.setActive(step > 0 ? 0 : count - 1);
      return;
    }
    var next = this.active + step;
    if (this.active < 0) {
      next = step > 0 ? 0 : count - 1;
    }
    this.setActive((next + count) % count);
  };

  Autocomplete.prototype.choose = function (index) {
    var suggestion = this.suggestions[index];
    if (!suggestion) {
      return;
    }
    this.input.value = suggestion.title;
    this.close();
    window.location.assign(suggestion.url);
  };

  Autocomplete.prototype.onKeyDown = function (event) {
    if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    switch (event.key) {
      case "ArrowDown":
        if (this.suggestions.length) {
          event.preventDefault();
          this.move(1);
        }
        break;
      case "ArrowUp":
        if (this.suggestions.length) {
          event.preventDefault();
          this.move(-1);
        }
        break;
      case "Enter":
        if (this.isOpen() && this.active >= 0) {
          event.preventDefault();
          this.choose(this.active);
        }
        break;
      case "Escape":
        if (this.isOpen()) {
          // Close the list but keep the text (a second Escape clears a search field).
          event.preventDefault();
          this.close();
        }
        break;
      case "ArrowLeft":
      case "ArrowRight":
      case "Home":
      case "End":
        // Editing keys act on the text again.
        this.setActive(-1);
        break;
      case "Tab":
        this.close();
        break;
      default:
        break;
    }
  };

  Autocomplete.prototype.onClick = function (event) {
    var option = event.target.closest('[role="option"]');
    if (option) {
      this.choose(Number(option.getAttribute("data-index")));
    }
  };

  Array.prototype.forEach.call(
    document.querySelectorAll("input[data-autocomplete-url]"),
    function (input) {
      new Autocomplete(input);
    }
  );
})();
