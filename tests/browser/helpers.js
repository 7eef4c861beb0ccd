// Shared steps of the browser scenarios: sign in as a demo login, fail on any CSP violation
// or script error, run axe-core in the page, and save a screenshot of every page visited.
const { expect } = require("@playwright/test");
const fs = require("fs");
const path = require("path");

const PASSWORD = "Harbor-Light-2026!";
const AXE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Collect CSP violations and uncaught errors of a page; `check()` fails on any. */
function watch(page) {
  const problems = [];
  page.on("console", (msg) => {
    const text = msg.text();
    if (msg.type() === "error" && /Content.Security.Policy|Refused to/i.test(text)) {
      problems.push(`CSP: ${text}`);
    }
  });
  page.on("pageerror", (err) => problems.push(`script error: ${err.message}`));
  return {
    check() {
      expect(problems, problems.join("\n")).toEqual([]);
    },
  };
}

async function signIn(page, email) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Work queue" })).toBeVisible();
}

/**
 * axe-core injected into the page (it runs under our CSP because the injection is
 * Playwright's, not the page's). Fails on any serious or critical WCAG 2.x A/AA violation.
 */
async function accessible(page, label) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    })
  );
  // axe really looked: a page it could not read would pass with no violations.
  expect(result.passes.length, `${label}: axe ran no checks`).toBeGreaterThan(10);
  const bad = result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  expect(bad, `${label}: accessibility violations\n${bad.join("\n")}`).toEqual([]);
}

/** A full-page screenshot under test-results/pages/. */
async function screenshot(page, name) {
  const dir = path.join(__dirname, "test-results", "pages");
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

module.exports = { PASSWORD, watch, signIn, accessible, screenshot };
