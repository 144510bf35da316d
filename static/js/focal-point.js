// The library image form's focal point picker: the image beside its two
// percentage fields, with the point marked. Clicking the image sets the point;
// typing in the fields moves the mark. A newly chosen file is shown before it
// is uploaded. The fields work on their own without this script.
"use strict";

(function () {
  function setUp() {
    const across = document.getElementById("id_focus_x");
    const down = document.getElementById("id_focus_y");
    const upload = document.getElementById("id_file");
    if (!across || !down || !upload) return;

    const picker = document.createElement("div");
    picker.className = "focal-point";
    const image = document.createElement("img");
    image.alt = "The image: click the subject to set the focal point";
    const mark = document.createElement("span");
    mark.className = "focal-point__mark";
    picker.append(image, mark);
    const help = document.createElement("p");
    help.className = "help";
    help.textContent = "Click the subject (a face, say) to set the focal point.";
    const row = down.closest(".form-row") || down.parentElement;
    row.after(picker, help);

    function show(source) {
      picker.hidden = help.hidden = !source;
      if (source) image.src = source;
    }

    function place() {
      mark.style.left = `${Math.min(Math.max(Number(across.value) || 0, 0), 100)}%`;
      mark.style.top = `${Math.min(Math.max(Number(down.value) || 0, 0), 100)}%`;
    }

    image.addEventListener("click", (event) => {
      const box = image.getBoundingClientRect();
      across.value = Math.round(((event.clientX - box.left) / box.width) * 100);
      down.value = Math.round(((event.clientY - box.top) / box.height) * 100);
      place();
    });
    across.addEventListener("input", place);
    down.addEventListener("input", place);
    upload.addEventListener("change", () => {
      const file = upload.files[0];
      if (!file) return;
      const reader = new FileReader(); // a data: URL, which the image policy allows
      reader.addEventListener("load", () => show(reader.result));
      reader.readAsDataURL(file);
    });

    const current = upload.closest(".file-upload")?.querySelector("a[href]");
    show(current ? current.href : "");
    place();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
