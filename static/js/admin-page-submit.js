/*
 * The page editor's buttons (Publish, Save draft, Submit) send what the editor sees, once.
 *
 * Two things happen a moment after an editor types, and a button pressed within that moment
 * raced them:
 *
 * - Draftail, the rich text editor, copies its text into the form 250 ms after the last
 *   change. A button pressed sooner sent the text as it was before: a new paragraph empty
 *   ("This field is required", or published blank), the last words of an old one missing.
 * - Wagtail's autosave creates a new page in the background (a POST to the create view that
 *   asks for JSON); only when its answer arrives does the form point at the new page's edit
 *   view. A Publish pressed while that request was on its way posted to the create view
 *   again: the autosave had just taken the slug, so the editor read "The page could not be
 *   created due to validation errors" and the autosaved page was left behind as a draft.
 *
 * So a button pressed within Draftail's moment, or while an autosave is on its way, is held
 * until both are over, and is then sent to wherever the form points by then (the edit view of
 * the page the autosave created). Once a button is pressed no further autosave starts: the
 * button sends everything.
 */
(() => {
  const form = document.querySelector("form[data-edit-form]");
  if (!form) return;

  // Draftail copies its text 250 ms after a change (stateSaveInterval), later on a busy
  // machine; a button waits for it, or at most RICH_TEXT_WAIT_MS.
  const RICH_TEXT_COPY_MS = 300;
  const RICH_TEXT_WAIT_MS = 3000;
  let lastRichTextEdit = -Infinity;
  let autosavesOnTheirWay = 0;
  let lastSave = null; // the latest w-autosave:save event: its request may not have started
  let pressed = false; // a button was pressed: no autosave from now on
  let waiting = null; // the button press held back until the autosave and Draftail are done
  let resending = false;

  const isAutosaveRequest = (resource, init) => {
    if (!init || String(init.method).toUpperCase() !== "POST") return false;
    const url = resource instanceof Request ? resource.url : String(resource);
    const accept = new Headers(init.headers).get("Accept") || "";
    return url === form.action && accept.includes("application/json");
  };

  const fetch = window.fetch;
  window.fetch = function fetchCountingAutosaves(resource, init) {
    if (isAutosaveRequest(resource, init)) autosavesOnTheirWay += 1;
    return fetch.apply(this, arguments);
  };

  // Anything done inside a rich text editor may change its text.
  const richTextEvents = ["beforeinput", "input", "keydown", "paste", "cut", "drop", "mousedown"];
  richTextEvents.forEach((type) => {
    form.addEventListener(
      type,
      (event) => {
        if (event.target instanceof Element && event.target.closest("[data-draftail-editor-wrapper]")) {
          lastRichTextEdit = performance.now();
        }
      },
      true,
    );
  });

  // A rich text field whose text differs from what its editor shows has a copy on its way.
  const richTextBehind = () =>
    [...form.querySelectorAll("input")].some((input) => {
      const editor = input.draftailEditor;
      if (!editor || typeof editor.getEditorState !== "function") return false;
      const shown = editor.getEditorState().getCurrentContent().getPlainText("\n");
      const copied = ((input.rawContentState && input.rawContentState.blocks) || [])
        .map((block) => block.text)
        .join("\n");
      return shown !== copied;
    });
  const richTextPending = () =>
    performance.now() - lastRichTextEdit < RICH_TEXT_COPY_MS || richTextBehind();

  const resend = () => {
    const { submitter } = waiting;
    waiting = null;
    // The pressed button shows its progress and is disabled by now, so the browser would
    // leave its name out: send it ("action-publish") as a field of its own.
    const action = document.createElement("input");
    action.type = "hidden";
    if (submitter && submitter.name) {
      action.name = submitter.name;
      action.value = submitter.value;
      form.append(action);
    }
    resending = true;
    try {
      form.requestSubmit();
    } finally {
      resending = false;
      action.remove();
    }
  };

  const sendWhenSettled = () => {
    if (!waiting || autosavesOnTheirWay > 0) return; // the autosave's answer calls again
    if (richTextPending() && performance.now() - waiting.since < RICH_TEXT_WAIT_MS) {
      window.setTimeout(sendWhenSettled, 50);
    } else {
      resend();
    }
  };

  const answered = () => {
    autosavesOnTheirWay = Math.max(0, autosavesOnTheirWay - 1);
    sendWhenSettled();
  };

  form.addEventListener("w-autosave:save", (event) => {
    if (pressed) {
      event.preventDefault();
    } else {
      lastSave = event;
    }
  });
  form.addEventListener("w-autosave:success", answered);
  form.addEventListener("w-autosave:error", answered);

  // Listening on the document runs after the form's own submit handlers, so a submission
  // one of them cancelled is left alone.
  document.addEventListener("submit", (event) => {
    if (event.target !== form || event.defaultPrevented) return;
    if (resending) return;
    pressed = true;
    // Stop an autosave that is still waiting for the editor to pause (debounced).
    if (lastSave) lastSave.preventDefault();
    if (waiting) {
      event.preventDefault(); // pressed twice: the first press is on its way
    } else if (autosavesOnTheirWay > 0 || richTextPending()) {
      event.preventDefault();
      waiting = { submitter: event.submitter, since: performance.now() };
      sendWhenSettled();
    }
  });

  // Back on this page from the browser's history: autosave may run again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) pressed = false;
  });
})();
