// The body editor's media, loaded by django-prose-editor as an ES module; the
// server's sanitizer keeps exactly what these produce (articles/body.py).
// - LibraryImage and Gallery: photos from the image library, chosen (or
//   uploaded) in the library's own list, opened as the admin's lookup popup.
// - Embed: a video, post or track. The editor pastes a link; the node keeps it
//   (data-url) and the sanitizer turns it into the provider and the id it stores.
// - TableFigure: a table with a header row and a caption.
// - PullQuote: a line of the story set large beside it.
// Photos, galleries, embeds and tables go between paragraphs, never in a
// table: their buttons are off while the cursor is in one (the server moves a
// medium found in a table to just after it).
import { Node, gettext, updateAttrsDialog } from "django-prose-editor/editor";

const LIBRARY = "/admin/articles/image/?_popup=1&_to_field=id";

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

// An atom (a figure with attributes only) inserted through a dialog.
const mediaNode = ({ name, tags, attributes, describe, dialog, toAttrs, icon, label }) =>
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
        const dom = document.createElement("figure");
        dom.className = "body-embed";
        dom.textContent = describe(node.attrs);
        return { dom };
      };
    },

    addCommands() {
      return {
        [`insert${name}`]:
          () =>
          ({ editor }) => {
            dialog(editor, {}).then((values) => {
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
        description: gettext("Choose it in the library, or add it there first"),
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
        description: gettext("Add each from the library; their numbers, separated by commas"),
        required: true,
        picker: libraryPicker(true),
      },
    },
    { title: gettext("Insert a gallery"), submitText: gettext("Insert") },
  ),
  toAttrs: (values) => {
    const ids = values.images
      .split(",")
      .map((id) => id.trim())
      .filter((id) => /^[0-9]+$/.test(id));
    return ids.length ? { "data-gallery": ids.join(",") } : null;
  },
  icon: "photo_library",
  label: gettext("Insert a gallery from the library"),
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
