// The sandbox's web chat. Every text from the bot or a user is set with textContent, never as HTML.
"use strict";

const UI = {
  zh: {
    title: "协商通 · 沙盒", who: "我是", chat: "聊天", switch: "English", private: "私聊机器人",
    placeholder: "输入消息或命令…", send: "发送", file: "发送文件", menu: "命令",
    empty: "还没有消息。发送 /start 开始。", invite: "你有一个邀请码。发送 /start {code} 登记成为指导员。", you: "我", edited: "已编辑",
    failed: "发送失败：", pressed: "已按下",
  },
  en: {
    title: "Xieshang · Sandbox", who: "I am", chat: "Chat", switch: "中文", private: "Me and the bot",
    placeholder: "Message or /command", send: "Send", file: "Send a file", menu: "Commands",
    empty: "No messages yet. Send /start to begin.", invite: "You have an invite code. Send /start {code} to join as an instructor.", you: "me", edited: "edited",
    failed: "Could not send: ", pressed: "Pressed",
  },
};

const state = { setup: null, lang: localStorage.getItem("sandbox.lang") || "zh", persona: null,
  chat: null, version: null, generation: 0, commands: [] };
const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

async function api(path, options) {
  const response = await fetch(path, options);
  if (!response.ok) throw new Error(await response.text());
  return response.json();
}

function post(path, body) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ...body, persona: state.persona, chat: state.chat, lang: state.lang }) });
}

// The bot's answer to a button: a short note, or with show_alert a box that stays until tapped.
function toast(text, alert) {
  const box = $("toast");
  box.textContent = text;
  box.className = alert ? "alert" : "";
  box.hidden = false;
  clearTimeout(toast.timer);
  if (!alert) toast.timer = setTimeout(hideToast, 3500);
}

function hideToast() {
  clearTimeout(toast.timer);
  $("toast").hidden = true;
}

function applyLanguage() {
  const words = UI[state.lang];
  document.documentElement.lang = state.lang === "en" ? "en" : "zh-CN";
  document.title = words.title;
  $("title").textContent = words.title;
  $("lang").textContent = words.switch;
  $("who-label").textContent = words.who;
  $("chat-label").textContent = words.chat;
  $("text").placeholder = words.placeholder;
  $("send").title = words.send;
  $("file-label").title = words.file;
  $("menu-button").title = words.menu;
  const persona = $("persona");
  persona.replaceChildren(...state.setup.personas.map((p) => {
    const option = el("option", null, p.label[state.lang]);
    option.value = p.id;
    return option;
  }));
  persona.value = state.persona;
  fillChats();
}

function fillChats() {
  const words = UI[state.lang];
  const me = state.setup.personas.find((p) => String(p.id) === String(state.persona));
  const groups = state.setup.groups.filter((g) => me.chats.includes(g.id));
  const options = [{ id: state.persona, title: words.private }, ...groups];
  $("chat").replaceChildren(...options.map((c) => {
    const option = el("option", null, c.title);
    option.value = c.id;
    return option;
  }));
  if (!options.some((c) => String(c.id) === String(state.chat))) state.chat = state.persona;
  $("chat").value = state.chat;
}

function renderMessage(message) {
  const words = UI[state.lang];
  const mine = !message.from.bot && String(message.from.id) === String(state.persona);
  const box = el("div", (mine ? "msg mine" : "msg") + (message.buttons ? " with-keyboard" : ""));
  box.dataset.id = message.id;
  if (!mine) box.append(el("div", "who", message.from.name));
  if (message.photo) {
    const img = el("img");
    img.src = message.photo.url;
    img.alt = "";
    box.append(img);
  }
  if (message.document) {
    if (message.document.image) {
      const img = el("img");
      img.src = message.document.url;
      img.alt = message.document.name;
      box.append(img);
    }
    const link = el("a", "doc", "⤓ " + message.document.name);
    link.href = message.document.url;
    link.download = message.document.name;
    box.append(link);
  }
  if (message.text) box.append(el("div", "text", message.text));
  if (message.reactions && message.reactions.length) {
    box.append(el("div", "reactions", message.reactions.join(" ")));
  }
  const time = new Date(message.date * 1000).toLocaleTimeString(state.lang === "en" ? "en" : "zh-CN",
    { hour: "2-digit", minute: "2-digit" });
  box.append(el("div", "meta", (message.edited ? words.edited + " · " : "") + time));
  if (message.buttons) {
    const keyboard = el("div", "keyboard");
    for (const row of message.buttons) {
      const line = el("div", "row");
      for (const button of row) {
        if (button.url) {
          const link = el("a", null, button.text);
          link.href = button.url;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
          line.append(link);
        } else {
          const press = el("button", null, button.text);
          press.type = "button";
          press.addEventListener("click", () => pressButton(press, message.id, button.data));
          line.append(press);
        }
      }
      keyboard.append(line);
    }
    box.append(keyboard);
  }
  return box;
}

function render(data) {
  const list = $("messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  if (!data.messages.length) {
    const me = state.setup.personas.find((p) => String(p.id) === String(state.persona));
    const words = UI[state.lang];
    const hint = me.invite && String(state.chat) === String(state.persona)
      ? words.invite.replace("{code}", me.invite) : words.empty;
    list.replaceChildren(el("div", "empty", hint));
  } else {
    list.replaceChildren(...data.messages.map(renderMessage));
  }
  if (atBottom || state.version === null) list.scrollTop = list.scrollHeight;
  state.commands = data.commands || [];
  renderMenu();
}

function renderMenu() {
  const menu = $("menu");
  const typed = $("text").value.trim();
  const shown = state.commands.filter((c) => !typed.startsWith("/") || ("/" + c.command).startsWith(typed.split(" ")[0]));
  menu.replaceChildren(...shown.map((c) => {
    const item = el("button");
    item.type = "button";
    item.append(el("span", "cmd", "/" + c.command), el("span", "desc", c.description));
    item.addEventListener("click", () => {
      $("text").value = "/" + c.command + " ";
      menu.hidden = true;
      $("text").focus();
    });
    return item;
  }));
}

async function watch() {
  hideToast();
  const generation = ++state.generation;
  state.version = null;
  let since = null;
  while (generation === state.generation) {
    try {
      const query = new URLSearchParams({ persona: state.persona, chat: state.chat, lang: state.lang });
      if (since !== null) query.set("since", since);
      const data = await api("api/chat?" + query);
      if (generation !== state.generation) return;
      render(data);
      state.version = since = data.version;
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

async function pressButton(button, messageId, data) {
  button.disabled = true;
  try {
    const answer = await post("api/press", { message: messageId, data });
    if (answer.text) toast(answer.text, answer.alert);
  } catch (error) {
    toast(UI[state.lang].failed + error.message);
  } finally {
    button.disabled = false;
  }
}

async function sendText(event) {
  event.preventDefault();
  const input = $("text");
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  $("menu").hidden = true;
  try {
    await post("api/send", { text });
  } catch (error) {
    input.value = text;
    toast(UI[state.lang].failed + error.message);
  }
}

async function sendFile() {
  const input = $("file");
  const file = input.files[0];
  if (!file) return;
  const form = new FormData();
  form.append("persona", state.persona);
  form.append("chat", state.chat);
  form.append("lang", state.lang);
  form.append("file", file, file.name);
  input.value = "";
  try {
    await api("api/upload", { method: "POST", body: form });
  } catch (error) {
    toast(UI[state.lang].failed + error.message);
  }
}

function remember() {
  localStorage.setItem("sandbox.persona", state.persona);
  localStorage.setItem("sandbox.chat", state.chat);
}

async function start() {
  state.setup = await api("api/setup");
  const ids = state.setup.personas.map((p) => String(p.id));
  const saved = localStorage.getItem("sandbox.persona");
  state.persona = ids.includes(saved) ? saved : ids[0];
  state.chat = localStorage.getItem("sandbox.chat") || state.persona;
  applyLanguage();
  $("persona").addEventListener("change", () => {
    state.persona = $("persona").value;
    state.chat = state.persona;
    fillChats();
    remember();
    watch();
  });
  $("chat").addEventListener("change", () => { state.chat = $("chat").value; remember(); watch(); });
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem("sandbox.lang", state.lang);
    applyLanguage();
    watch();
  });
  $("composer").addEventListener("submit", sendText);
  $("toast").addEventListener("click", hideToast);
  $("file").addEventListener("change", sendFile);
  $("menu-button").addEventListener("click", () => {
    renderMenu();
    $("menu").hidden = !$("menu").hidden;
  });
  $("text").addEventListener("input", () => {
    const typed = $("text").value;
    if (typed.startsWith("/") && !typed.includes(" ")) {
      renderMenu();
      $("menu").hidden = false;
    } else if (!typed) {
      $("menu").hidden = true;
    }
  });
  remember();
  watch();
}

start();
