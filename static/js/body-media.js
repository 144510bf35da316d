// The body editor's media: an Embed node for a video, post or track. The
// editor pastes a link; the node keeps it (data-url) and the server's
// sanitizer turns it into the provider and the id it stores
// (articles/body.py). Loaded by django-prose-editor as an ES module.
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
