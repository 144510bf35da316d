// The body editor's media, loaded by django-prose-editor as an ES module; the
// server's sanitizer keeps exactly what these produce (articles/body.py).
// - LibraryImage and Gallery: photos from the image library, chosen (or
//   uploaded) in the library's own list, opened as the admin's lookup popup,
//   or by number. The dialog shows each chosen photo (its thumbnail, alt text
//   and credit) and refuses a number that names none; in the editor each photo
//   shows too. What they show comes from the library (ImageAdmin.thumbs_view).
// - Embed: a video, post or track. The editor pastes a link; the node keeps it
//   (data-url) and the sanitizer turns it into the provider and the id it stores.
// - TableFigure: a table with a header row and a caption.
// - PullQuote: a line of the story set large beside it.
// Photos, galleries, embeds and tables go between paragraphs, never in a
// table: their buttons are off while the cursor is in one (the server moves a
// medium found in a table to just after it).
import { Node, crel, gettext, updateAttrsDialog } from "django-prose-editor/editor";

const LIBRARY = "/admin/articles/image/?_popup=1&_to_field=id";
const THUMBS = "/admin/articles/image/thumbs/";
const THUMBS_LIMIT = 100; // the most ids one request may ask for (articles/admin.py)

const attribute = (name) => ({
  default: null,
  parseHTML: (element) => element.getAttribute(name),
  renderHTML: (attributes) => (attributes[name] ? { [name]: attributes[name] } : {}),
});

// A menu button that runs one command; every node here adds one.
const defineButton = (menu, buttons, name, icon, label, run, enabled = () => true) =>
  menu.defineItem({
    name,
    groups: "nodes",
    command: run,
    enabled,
    button: buttons.material(icon, label),
  });

const outsideTables = (editor) => !editor.isActive("table") && !editor.isActive("tableFigure");

// The admin's lookup popup (RelatedObjectLookups.js) writes the chosen id into
// the element whose id is the popup window's name; with this class it appends.
const libraryPicker = (many) => ({
  label: many ? gettext("Add a photo from the library") : gettext("Choose from the library"),
  handler({ input }) {
    if (!input.id) input.id = `id_body_media_${many ? "gallery" : "image"}`;
    if (many) input.classList.add("vManyToManyRawIdAdminField");
    const features = "width=1000,height=700,resizable=yes,scrollbars=yes";
    window.open(LIBRARY, input.id, features)?.focus();
  },
});

// What the library holds for each photo number asked about on this page: a
// promise of its thumbnail, alt text and credit, or of null when no photo has
// that number; rejected when the library could not be asked. The numbers
// wanted at one moment (every photo of a body as it opens) are asked together.
const library = new Map();
let unasked = null; // number -> the function that settles its promise

const libraryPhoto = (id) => {
  if (!library.has(id)) {
    if (!unasked) {
      unasked = new Map();
      setTimeout(askTheLibrary);
    }
    library.set(
      id,
      new Promise((resolve, reject) => {
        unasked.set(id, { resolve, reject });
      }),
    );
  }
  return library.get(id);
};

const askTheLibrary = () => {
  const waiting = unasked;
  unasked = null;
  const ids = [...waiting.keys()];
  for (let start = 0; start < ids.length; start += THUMBS_LIMIT) {
    const batch = ids.slice(start, start + THUMBS_LIMIT);
    fetch(`${THUMBS}?ids=${batch.join(",")}`, { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response)))
      .then(({ images }) => {
        const found = new Map(images.map((image) => [String(image.id), image]));
        for (const id of batch) {
          // A number that names nothing is asked again next time: a photo
          // uploaded meanwhile may have it.
          if (!found.has(id)) library.delete(id);
          waiting.get(id).resolve(found.get(id) || null);
        }
      })
      .catch((error) => {
        for (const id of batch) {
          library.delete(id);
          waiting.get(id).reject(error);
        }
      });
  }
};

// "12", "12 and 13", "12, 13 and 14"
const listed = (ids) =>
  ids.length > 1 ? `${ids.slice(0, -1).join(", ")} ${gettext("and")} ${ids.at(-1)}` : ids[0];

const noSuchPhoto = (ids) =>
  ids.length > 1
    ? gettext("No photos in the image library have the numbers %s.").replace("%s", listed(ids))
    : gettext("No photo in the image library has the number %s.").replace("%s", ids[0]);

const warning = (text) =>
  crel("div", { className: "library-photo library-photo--missing" }, [text]);

// One photo as the dialog and the editor show it: the thumbnail beside its alt
// text and credit; or that its number names no photo, and what to do.
const photoItem = (id, image, whatToDo) => {
  if (!image) return warning(`${noSuchPhoto([id])} ${whatToDo}`);
  const width = 96;
  const height = image.width ? Math.round((width * image.height) / image.width) : width;
  const thumbnail = crel("img", {
    src: image.thumbnail,
    alt: "", // the alt text is written beside it
    width,
    height,
    draggable: false,
    className: "library-thumbnail",
  });
  const words = [crel("span", { className: "library-photo-alt", textContent: image.alt })];
  if (image.credit) {
    words.push(crel("small", { textContent: `${gettext("Photo:")} ${image.credit}` }));
  }
  words.push(crel("small", { textContent: `${gettext("Library number")} ${id}` }));
  return crel("div", { className: "library-photo" }, [
    thumbnail,
    crel("span", { className: "library-photo-words" }, words),
  ]);
};

// The photo numbers written in a dialog's field: [numbers, what is not one].
const photoNumbers = (value) => {
  const parts = value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  const wrong = parts.filter((part) => !/^[0-9]{1,10}$/.test(part));
  return [[...new Set(parts.filter((part) => !wrong.includes(part)))], wrong];
};

const LOOKING = gettext("Looking in the image library…");

// The photo field of an open dialog, made to show the photos it names as
// they are picked or typed. Its validity says what is wrong, so the dialog
// refuses to insert a number that names no photo (the server refuses it too).
const showChosenPhotos = (dialogElement, fieldName, many) => {
  const input = dialogElement?.querySelector(`[name="${fieldName}"]`);
  if (!input) return;
  const preview = crel("div", { className: "library-photos", "aria-live": "polite" });
  input.closest(".prose-editor-dialog-field").after(preview);
  let shown = 0;
  let typing = null;
  let lookedUp = null; // the value the preview and the validity are for
  const refuse = (message) => {
    input.setCustomValidity(message);
    preview.replaceChildren(warning(message));
  };
  const show = () => {
    const asked = ++shown;
    lookedUp = input.value;
    const [ids, wrong] = photoNumbers(input.value);
    if (wrong.length) {
      refuse(gettext("“%s” is not a photo's number.").replace("%s", wrong[0]));
      return;
    }
    if (!many && ids.length > 1) {
      refuse(gettext("One photo here: a gallery takes several."));
      return;
    }
    if (!ids.length) {
      input.setCustomValidity("");
      preview.replaceChildren();
      return;
    }
    input.setCustomValidity(LOOKING);
    Promise.all(ids.map(libraryPhoto)).then(
      (images) => {
        if (asked !== shown) return; // the field changed meanwhile
        const unknown = ids.filter((id, index) => !images[index]);
        const choose = gettext("Choose it from the library.");
        preview.replaceChildren(...ids.map((id, index) => photoItem(id, images[index], choose)));
        input.setCustomValidity(unknown.length ? noSuchPhoto(unknown) : "");
      },
      () => {
        if (asked !== shown) return;
        // Not known either way: the server checks the numbers on save.
        input.setCustomValidity("");
        preview.replaceChildren(warning(gettext("The library could not be reached to show it.")));
      },
    );
  };
  input.addEventListener("input", () => {
    clearTimeout(typing);
    input.setCustomValidity(LOOKING);
    typing = setTimeout(show, 300);
  });
  // The library's popup writes the number and triggers "change" through the
  // admin's jQuery, which calls this property but not added listeners.
  // Leaving the field after typing changes it too: the number typed is being
  // (or has been) looked up already, and is not looked up again.
  input.onchange = () => {
    if (input.value === lookedUp) return;
    clearTimeout(typing);
    show();
  };
};

// The photos a photo or gallery shows, under its description in the editor.
const showPhotosInTheEditor = (dom, ids) => {
  if (!ids.length) return;
  Promise.all(ids.map(libraryPhoto)).then(
    (images) => {
      const missing = gettext("Readers see nothing here: take it out, or choose the photo again.");
      dom.append(
        crel(
          "div",
          { className: "library-photos" },
          ids.map((id, index) => photoItem(id, images[index], missing)),
        ),
      );
    },
    () => {}, // the description stays on its own
  );
};

// An atom (a figure with attributes only) inserted through a dialog. One that
// shows library photos says which (photos.of its attributes), and in which
// field of its dialog they are chosen (photos.field, several if photos.many).
const mediaNode = ({ name, tags, attributes, describe, dialog, toAttrs, icon, label, photos }) =>
  Node.create({
    name,
    group: "block",
    atom: true,
    draggable: true,

    addAttributes() {
      return Object.fromEntries(attributes.map((a) => [a, attribute(a)]));
    },

    parseHTML() {
      return tags.map((tag) => ({ tag }));
    },

    renderHTML({ HTMLAttributes }) {
      return ["figure", HTMLAttributes];
    },

    addNodeView() {
      return ({ node }) => {
        const dom = crel("figure", { className: "body-embed" }, [
          crel("div", { className: "body-embed-label", textContent: describe(node.attrs) }),
        ]);
        if (photos) showPhotosInTheEditor(dom, photos.of(node.attrs));
        return { dom };
      };
    },

    addCommands() {
      return {
        [`insert${name}`]:
          () =>
          ({ editor }) => {
            const answer = dialog(editor, {});
            if (photos) {
              // The dialog is open by now, in the editor's own element.
              const opened = editor.view.dom.parentElement.querySelector("dialog[open]");
              showChosenPhotos(opened, photos.field, photos.many);
            }
            answer.then((values) => {
              const attrs = values && toAttrs(values);
              // A paragraph after it: the editor types on, and the next insert
              // does not replace this one.
              const content = [{ type: name, attrs }, { type: "paragraph" }];
              if (attrs) editor.chain().focus().insertContent(content).run();
            });
            return true;
          },
      };
    },

    addMenuItems({ menu, buttons }) {
      defineButton(
        menu,
        buttons,
        name,
        icon,
        label,
        (editor) => editor.commands[`insert${name}`](),
        outsideTables,
      );
    },
  });

export const LibraryImage = mediaNode({
  name: "LibraryImage",
  tags: ["figure[data-image]"],
  attributes: ["data-image", "data-layout"],
  describe: (attrs) =>
    `${gettext("Library photo")} ${attrs["data-image"]} (${attrs["data-layout"] || "inline"})`,
  dialog: updateAttrsDialog(
    {
      image: {
        type: "string",
        title: gettext("Photo"),
        description: gettext(
          "Choose it in the library (or add it there first), or type its number",
        ),
        required: true,
        picker: libraryPicker(false),
      },
      layout: { title: gettext("Layout"), enum: ["inline", "full"], default: "inline" },
    },
    { title: gettext("Insert a photo"), submitText: gettext("Insert") },
  ),
  toAttrs: (values) =>
    /^[0-9]+$/.test(values.image.trim())
      ? { "data-image": values.image.trim(), "data-layout": values.layout || "inline" }
      : null,
  icon: "image",
  label: gettext("Insert a photo from the library"),
  photos: { of: (attrs) => photoNumbers(attrs["data-image"] || "")[0], field: "image" },
});

export const Gallery = mediaNode({
  name: "Gallery",
  tags: ["figure[data-gallery]"],
  attributes: ["data-gallery"],
  describe: (attrs) => `${gettext("Gallery of library photos")} ${attrs["data-gallery"]}`,
  dialog: updateAttrsDialog(
    {
      images: {
        type: "string",
        title: gettext("Photos, in order"),
        description: gettext(
          "Add each from the library, or type their numbers separated by commas",
        ),
        required: true,
        picker: libraryPicker(true),
      },
    },
    { title: gettext("Insert a gallery"), submitText: gettext("Insert") },
  ),
  toAttrs: (values) => {
    const [ids] = photoNumbers(values.images);
    return ids.length ? { "data-gallery": ids.join(",") } : null;
  },
  icon: "photo_library",
  label: gettext("Insert a gallery from the library"),
  photos: {
    of: (attrs) => photoNumbers(attrs["data-gallery"] || "")[0],
    field: "images",
    many: true,
  },
});

export const Embed = mediaNode({
  name: "Embed",
  tags: ["figure[data-embed]", "figure[data-url]"],
  attributes: ["data-url", "data-embed", "data-id", "data-title"],
  describe: (attrs) => {
    const what = attrs["data-url"] || `${attrs["data-embed"]}: ${attrs["data-id"]}`;
    const title = attrs["data-title"] ? ` (${attrs["data-title"]})` : "";
    return `${gettext("Embedded")} ${what}${title}`;
  },
  dialog: updateAttrsDialog(
    {
      url: {
        type: "string",
        title: gettext("Link to the video, post or track"),
        description: gettext(
          "YouTube, Vimeo, X, Instagram, TikTok, Bluesky, Mastodon or SoundCloud",
        ),
        required: true,
      },
      title: { type: "string", title: gettext("Title shown before it loads (optional)") },
    },
    { title: gettext("Embed a video or post"), submitText: gettext("Embed") },
  ),
  toAttrs: (values) =>
    values.url ? { "data-url": values.url.trim(), "data-title": values.title || null } : null,
  icon: "smart_display",
  label: gettext("Embed a video or post"),
});

const cells = (type, count) =>
  Array.from({ length: count }, () => ({ type, content: [{ type: "paragraph" }] }));

const tableDialog = updateAttrsDialog(
  {
    caption: { type: "string", title: gettext("Caption: what the table shows"), required: true },
    rows: { format: "number", title: gettext("Rows below the header"), min: 1, max: 50, default: "3" },
    cols: { format: "number", title: gettext("Columns"), min: 1, max: 10, default: "3" },
  },
  { title: gettext("Insert a table"), submitText: gettext("Insert") },
);

const between = (value, low, high, otherwise) =>
  Math.min(Math.max(Number.parseInt(value, 10) || otherwise, low), high);

export const TableFigure = Node.create({
  name: "tableFigure",
  group: "block",
  content: "table caption",
  isolating: true,

  parseHTML() {
    return [{ tag: "figure[data-table]" }];
  },

  renderHTML() {
    return ["figure", { "data-table": "" }, 0];
  },

  addMenuItems({ menu, buttons }) {
    defineButton(menu, buttons, "tableFigure", "table_chart", gettext("Insert a table with a caption"), (editor) => {
      tableDialog(editor, {}).then((attrs) => {
        if (!attrs || !attrs.caption) return;
        const cols = between(attrs.cols, 1, 10, 3);
        const rows = Array.from({ length: between(attrs.rows, 1, 50, 3) }, () => ({
          type: "tableRow",
          content: cells("tableCell", cols),
        }));
        const header = { type: "tableRow", content: cells("tableHeader", cols) };
        const caption = { type: "caption", content: [{ type: "text", text: attrs.caption }] };
        const table = { type: "table", content: [header, ...rows] };
        editor.chain().focus().insertContent({ type: "tableFigure", content: [table, caption] }).run();
      });
    }, outsideTables);
  },
});

export const PullQuote = Node.create({
  name: "pullQuote",
  group: "block",
  content: "paragraph",
  defining: true,

  parseHTML() {
    return [{ tag: "aside[data-pull-quote]" }];
  },

  renderHTML() {
    return ["aside", { "data-pull-quote": "" }, 0];
  },

  addMenuItems({ menu, buttons }) {
    defineButton(menu, buttons, "pullQuote", "format_quote", gettext("Pull quote"), (editor) =>
      editor.chain().focus().toggleWrap("pullQuote").run(),
    );
  },
});
