// My drives: the console's first screen.
"use strict";

console_.view("/drives", async (main) => {
  const { el, t } = console_;
  console_.setTitle(t("console_title"));
  main.replaceChildren(el("h2", {}, t("console_my_drives")),
    el("p", { class: "hint" }, t("console_hello", { Name: console_.me().name })));
});
