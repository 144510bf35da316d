// The body editor's media, loaded by django-prose-editor as an ES module; the
// server's sanitizer keeps exactly what these produce (articles/body.py).
// - Embed: a video, post or track. The editor pastes a link; the node keeps it
//   (data-url) and the sanitizer turns it into the provider and the id it stores.
// - TableFigure: a table with a header row and a caption.
// - PullQuote: a line of the story set large beside it.
import { Node, gettext, updateAttrsDialog } from "django-prose-editor/editor";

const embedDialog = updateAttrsDialog(
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
);

const attribute = (name) => ({
  default: null,
  parseHTML: (element) => element.getAttribute(name),
  renderHTML: (attributes) => (attributes[name] ? { [name]: attributes[name] } : {}),
});

export const Embed = Node.create({
  name: "embed",
  group: "block",
  atom: true,
  draggable: true,

  addAttributes() {
    return {
      "data-url": attribute("data-url"),
      "data-embed": attribute("data-embed"),
      "data-id": attribute("data-id"),
      "data-title": attribute("data-title"),
    };
  },

  parseHTML() {
    return [{ tag: "figure[data-embed]" }, { tag: "figure[data-url]" }];
  },

  renderHTML({ HTMLAttributes }) {
    return ["figure", HTMLAttributes];
  },

  addNodeView() {
    return ({ node }) => {
      const dom = document.createElement("figure");
      dom.className = "body-embed";
      const what = node.attrs["data-url"] || `${node.attrs["data-embed"]}: ${node.attrs["data-id"]}`;
      const title = node.attrs["data-title"] ? ` (${node.attrs["data-title"]})` : "";
      dom.textContent = `${gettext("Embedded")} ${what}${title}`;
      return { dom };
    };
  },

  addCommands() {
    return {
      insertEmbed:
        () =>
        ({ editor }) => {
          embedDialog(editor, {}).then((attrs) => {
            if (!attrs || !attrs.url) return;
            editor
              .chain()
              .focus()
              .insertContent({
                type: this.name,
                attrs: { "data-url": attrs.url.trim(), "data-title": attrs.title || null },
              })
              .run();
          });
          return true;
        },
    };
  },

  addMenuItems({ menu, buttons }) {
    menu.defineItem({
      name: "embed",
      groups: "nodes",
      command(editor) {
        editor.commands.insertEmbed();
      },
      button: buttons.material("smart_display", gettext("Embed a video or post")),
    });
  },
});

const tableDialog = updateAttrsDialog(
  {
    caption: { type: "string", title: gettext("Caption: what the table shows"), required: true },
    rows: { type: "string", format: "number", title: gettext("Rows below the header"), min: 1, max: 50, default: "3" },
    cols: { type: "string", format: "number", title: gettext("Columns"), min: 1, max: 10, default: "3" },
  },
  { title: gettext("Insert a table"), submitText: gettext("Insert") },
);

const cells = (type, count) =>
  Array.from({ length: count }, () => ({ type, content: [{ type: "paragraph" }] }));

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

  addCommands() {
    return {
      insertTableFigure:
        () =>
        ({ editor }) => {
          tableDialog(editor, {}).then((attrs) => {
            if (!attrs || !attrs.caption) return;
            const rows = Math.min(Math.max(Number.parseInt(attrs.rows, 10) || 3, 1), 50);
            const cols = Math.min(Math.max(Number.parseInt(attrs.cols, 10) || 3, 1), 10);
            const header = { type: "tableRow", content: cells("tableHeader", cols) };
            const body = Array.from({ length: rows }, () => ({
              type: "tableRow",
              content: cells("tableCell", cols),
            }));
            editor
              .chain()
              .focus()
              .insertContent({
                type: this.name,
                content: [
                  { type: "table", content: [header, ...body] },
                  { type: "caption", content: [{ type: "text", text: attrs.caption }] },
                ],
              })
              .run();
          });
          return true;
        },
    };
  },

  addMenuItems({ menu, buttons }) {
    menu.defineItem({
      name: "tableFigure",
      groups: "nodes",
      command(editor) {
        editor.commands.insertTableFigure();
      },
      button: buttons.material("table_chart", gettext("Insert a table with a caption")),
    });
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

  addCommands() {
    return {
      togglePullQuote:
        () =>
        ({ commands }) =>
          commands.toggleWrap(this.name),
    };
  },

  addMenuItems({ menu, buttons }) {
    menu.defineItem({
      name: "pullQuote",
      groups: "nodes",
      command(editor) {
        editor.chain().focus().togglePullQuote().run();
      },
      button: buttons.material("format_quote", gettext("Pull quote")),
      active(editor) {
        return editor.isActive("pullQuote");
      },
    });
  },
});
