// Two pages of the back office in Debian's chromium, on the demo's Capitol Eye Care. The
// practice manager rewords the appointment reminder SMS: a clinical placeholder is refused at
// the message with her text kept, the preview fills in the example values, and once saved
// the reminder is listed as customised. An administrator finds a dead job on the jobs page
// (put there straight in the demo's SQLite file: no job kind of the demo fails on purpose),
// retries it, and sees it queued. Every page passes axe and raises no CSP violation.
const { test, expect } = require("@playwright/test");
const { execFileSync } = require("child_process");
const path = require("path");
const { watch, signIn, accessible, screenshot } = require("./helpers");

test("the practice manager edits, previews and saves the reminder SMS", async ({ page }) => {
  const w = watch(page);
  await signIn(page, "manager@demo.careline.test");
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Practice" }).click();
  await expect(page.getByRole("heading", { name: "Messages to patients" })).toBeVisible();
  const sms = page.locator("#template-appointment_reminder-sms-en");
  await expect(sms.locator("summary")).toContainText("Built-in");
  await sms.locator("summary").click();
  const message = sms.getByLabel("Message");
  await expect(message).toHaveValue(/reminder of your appointment/);

  // A clinical placeholder is refused at the field, with the text as typed.
  const wrong = "Capitol Eye Care: your {diagnosis} check on {appointment_date}.";
  await message.fill(wrong);
  await sms.getByRole("button", { name: "Save" }).click();
  const after = page.locator("#template-appointment_reminder-sms-en");
  await expect(after.locator(".error")).toContainText("unknown placeholder {diagnosis}");
  await expect(after.getByLabel("Message")).toHaveValue(wrong);
  await expect(after.getByLabel("Message")).toHaveAttribute("aria-invalid", "true");
  await accessible(page, "practice page with a refused template");

  // The preview: example values filled in, nothing saved yet.
  const wording = "{practice_name}: see you {appointment_date} at {appointment_time}. Reply or call {practice_phone}.";
  await after.getByLabel("Message").fill(wording);
  await after.getByRole("button", { name: "Preview" }).click();
  const preview = page.locator("#template-appointment_reminder-sms-en").getByRole("status", { name: "Preview" });
  await expect(preview).toContainText("Capitol Eye Care: see you Tuesday, December 15 at 9:30 AM. Reply or call (512) 555-0100.");
  await expect(preview).toContainText("one text message");
  await expect(page.locator("#template-appointment_reminder-sms-en summary")).toContainText("Built-in");
  await screenshot(page, "practice-template-preview");

  // Saved: listed as customised, with the wording kept.
  await page.locator("#template-appointment_reminder-sms-en").getByRole("button", { name: "Save" }).click();
  const saved = page.locator("#template-appointment_reminder-sms-en");
  await expect(saved.locator("summary")).toContainText("Customised");
  await expect(saved.getByRole("status")).toContainText("Saved.");
  await expect(saved.getByLabel("Message")).toHaveValue(wording);
  await expect(saved.getByRole("button", { name: "Back to the built-in wording" })).toBeVisible();
  await accessible(page, "practice page with a customised template");
  await screenshot(page, "practice-template-saved");
  w.check();
});

test("an administrator retries a dead job from the jobs page", async ({ page }) => {
  // A dead job of a kind no handler knows, so once retried it waits, queued, for the page.
  const db = path.join(path.dirname(process.env.BROWSER_SERVER_LOG), "data", "careline.db");
  const key = `browser-dead-${Date.now()}`;
  const at = "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-1 hour')";
  execFileSync("sqlite3", [
    db,
    ".timeout 10000",
    "INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, run_at, locked_by, " +
      "locked_until, last_error, idempotency_key, created_at, updated_at, finished_at) VALUES " +
      `(randomblob(16), 'browser.dead_letter', '{"appointment_id":"a1"}', 'dead', 8, 8, ${at}, ` +
      `NULL, NULL, 'Twilio 21211: invalid number', '${key}', ${at}, ${at}, ${at})`,
  ]);

  const w = watch(page);
  await signIn(page, "admin@demo.careline.test");
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Jobs" }).click();
  await expect(page.getByRole("heading", { name: "Background jobs" })).toBeVisible();
  await expect(page.locator('.counts li[data-state="dead"]')).toContainText(/[1-9]\d* Dead/);
  await page.getByLabel("State").selectOption("dead");
  await page.getByLabel("Kind").selectOption("browser.dead_letter");
  await page.getByRole("button", { name: "Show" }).click();
  const row = page.locator("tbody tr", { hasText: key });
  await expect(row).toContainText("Dead");
  await expect(row).toContainText("Twilio 21211: invalid number");
  await expect(row).toContainText("8/8");
  await expect(row.getByRole("button", { name: "Cancel the browser.dead_letter job" })).toHaveCount(0);
  await accessible(page, "jobs page");
  await screenshot(page, "jobs-dead");

  await row.getByRole("button", { name: "Retry the browser.dead_letter job" }).click();
  await expect(page.locator("#job-notice")).toContainText("The browser.dead_letter job is queued again");
  // Back on the dead list it is gone; without the state filter it shows as queued.
  await expect(page.locator("tbody tr", { hasText: key })).toHaveCount(0);
  await page.getByLabel("State").selectOption("");
  await page.getByRole("button", { name: "Show" }).click();
  const queued = page.locator("tbody tr", { hasText: key });
  await expect(queued).toContainText("Queued");
  await expect(queued).toContainText("0/8");
  await expect(queued.getByRole("button", { name: "Cancel the browser.dead_letter job" })).toBeVisible();
  await accessible(page, "jobs page after a retry");
  await screenshot(page, "jobs-retried");
  w.check();
});
