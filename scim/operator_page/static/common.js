// What the operator page and the review page (scim/review_page) share: the sign-in with a
// token kept in the tab's sessionStorage (one key, so one sign-in serves both pages in a
// tab), reads sent with it as a Bearer header (RFC 6750 §2.1), never in an address, and
// the helpers that build nodes. Every text is set with textContent: nothing the service
// answers is parsed as HTML. Each page's section shown once signed in has class
// "signed-in".
"use strict";

const TOKEN_KEY = "idcc-operator-token";
const SVG_NS = "http://www.w3.org/2000/svg";

function $(id) {
  return document.getElementById(id);
}

function html(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function showSignIn(message) {
  document.querySelector("section.signed-in").hidden = true;
  $("sign-out").hidden = true;
  $("sign-in").hidden = false;
  $("updated").textContent = "";
  if (message !== undefined) $("sign-in-message").textContent = message;
  $("token").focus();
}

function showSignedIn() {
  $("sign-in").hidden = true;
  document.querySelector("section.signed-in").hidden = false;
  $("sign-out").hidden = false;
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  showSignIn(message);
}

function banner(text) {
  $("problem-banner").hidden = !text;
  $("problem-banner").textContent = text || "";
}

// The service's answer to a GET of `url` with the tab's token, or null when there is no
// token or the service refuses it (the sign-in form then says why). Throws when the
// service does not answer.
async function readWithToken(url) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) {
    showSignIn();
    return null;
  }
  const answer = await fetch(url, {
    headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
    cache: "no-store",
    credentials: "omit",
  });
  if (answer.status === 401) {
    signOut("The token is not valid (unknown or revoked). Sign in with another.");
    return null;
  }
  if (answer.status === 403) {
    signOut("This token cannot read the page: it needs the read or write scope.");
    return null;
  }
  return answer;
}

// Wires the sign-in form and the sign-out button, then calls `load` (and again on each
// sign-in).
function startPage(load) {
  document.addEventListener("DOMContentLoaded", () => {
    $("sign-in-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const token = $("token").value.trim();
      $("token").value = "";
      if (!token) return;
      sessionStorage.setItem(TOKEN_KEY, token);
      load();
    });
    $("sign-out").addEventListener("click", () => signOut("Signed out."));
    load();
  });
}
