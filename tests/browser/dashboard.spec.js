// The dashboard as staff use it, in Debian's chromium: every role signs in and lands on its
// queue; every page passes axe with no serious or critical violation and raises no CSP
// violation; a specialist reviews and approves the demo's urgent request; shipping ships; a
// forgotten password is asked for and the reset link's form refuses what it must.
const { test, expect } = require("@playwright/test");
const { watch, signIn, accessible, screenshot } = require("./helpers");

// Each role: its login, a short name, the queue's sections, and pages not in the navigation
// that the role may open.
const ROLES = [
  ["admin@demo.careline.test", "admin", ["System health", "waiting for review"], ["/requests/new", "/prior-authorizations/new"]],
  ["specialist@demo.careline.test", "specialist", ["waiting for review"], []],
  ["master@demo.careline.test", "master", ["Orders waiting for approval"], []],
  ["distributor@demo.careline.test", "distributor", ["Orders waiting for approval"], []],
  ["sales@demo.careline.test", "sales", [], []],
  ["shipping@demo.careline.test", "shipping", ["Orders ready to ship"], []],
  ["doctor@demo.careline.test", "doctor", ["Your verification requests", "Your orders"], ["/requests/new"]],
  ["dr.patel@demo.careline.test", "practice-doctor", ["Appointments today"], ["/prior-authorizations/new"]],
  ["nurse@demo.careline.test", "nurse", ["Appointments today"], ["/prior-authorizations/new"]],
  ["reception@demo.careline.test", "reception", ["Appointments today"], []],
  ["manager@demo.careline.test", "manager", ["Appointments today"], []],
];

for (const [email, name, sections, more] of ROLES) {
  test(`${name} signs in, lands on their queue, and every page they can open is clean`, async ({ page }) => {
    const w = watch(page);
    await signIn(page, email);
    for (const s of sections) {
      await expect(page.getByRole("heading", { name: new RegExp(s) })).toBeVisible();
    }
    await accessible(page, `${name} queue`);
    await screenshot(page, `${name}-queue`);
    // Every section in the navigation, and the first row of each list.
    const links = await page.getByRole("navigation", { name: "Sections" }).getByRole("link").all();
    const hrefs = [];
    for (const l of links) hrefs.push(await l.getAttribute("href"));
    for (const href of hrefs.filter((h) => h !== "/")) {
      await page.goto(href);
      await accessible(page, `${name} ${href}`);
      await screenshot(page, `${name}-${href.replace(/\W+/g, "")}`);
      const first = page.locator("table.rows tbody a").first();
      if (await first.count()) {
        await first.click();
        await expect(page.locator("h1")).toBeVisible();
        await accessible(page, `${name} ${href} detail`);
        await screenshot(page, `${name}-${href.replace(/\W+/g, "")}-detail`);
      }
    }
    for (const href of more) {
      await page.goto(href);
      await expect(page.locator("h1")).toBeVisible();
      await accessible(page, `${name} ${href}`);
      await screenshot(page, `${name}-${href.replace(/\W+/g, "")}`);
    }
    // Phone width: the queue still works without sideways scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/");
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    expect(wide, "no horizontal scrolling at phone width").toBe(false);
    await screenshot(page, `${name}-queue-phone`);
    w.check();
  });
}

test("the sign-in page is accessible and says what went wrong", async ({ page }) => {
  const w = watch(page);
  await page.goto("/login");
  await accessible(page, "sign-in");
  await page.getByLabel("Email").fill("specialist@demo.careline.test");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("email or password is incorrect");
  await expect(page.getByLabel("Email")).toHaveValue("specialist@demo.careline.test");
  await screenshot(page, "sign-in-refused");
  w.check();
});

test("a forgotten password: the request answers one sentence, the link's form shows errors inline", async ({ page }) => {
  const w = watch(page);
  await page.goto("/login");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
  await accessible(page, "forgot password");
  await screenshot(page, "forgot-password");
  await page.getByLabel("Email").fill("nurse@demo.careline.test");
  await page.getByRole("button", { name: "Send the link" }).click();
  const notice = page.getByRole("status");
  await expect(notice).toContainText("If an account uses this address");
  const sentence = await notice.textContent();
  await accessible(page, "forgot password sent");
  await screenshot(page, "forgot-password-sent");
  // An address with no account: the very same sentence.
  await page.goto("/forgot-password");
  await page.getByLabel("Email").fill("nobody@demo.careline.test");
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByRole("status")).toHaveText(sentence);

  // The link's page (a token nobody was sent): two different passwords, then a good one.
  await page.goto("/reset-password?token=" + "0".repeat(64));
  await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await accessible(page, "reset password");
  await page.getByLabel("New password", { exact: true }).fill("Quiet-Meadow-7731!");
  await page.getByLabel("The new password again").fill("Quiet-Meadow-7731?");
  await page.getByRole("button", { name: "Set the password" }).click();
  await expect(page.getByRole("alert")).toContainText("not the same");
  await expect(page.getByLabel("The new password again")).toHaveValue("Quiet-Meadow-7731?");
  await accessible(page, "reset password refused");
  await screenshot(page, "reset-password-mismatch");
  await page.getByLabel("The new password again").fill("Quiet-Meadow-7731!");
  await page.getByRole("button", { name: "Set the password" }).click();
  await expect(page.getByRole("alert")).toContainText("not valid");
  await page.getByRole("link", { name: "Ask for a new link" }).click();
  await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
  w.check();
});

test("a specialist reviews and approves the urgent request from the queue", async ({ page }) => {
  const w = watch(page);
  await signIn(page, "specialist@demo.careline.test");
  const queue = page.locator("#sec-review");
  const row = queue.locator("tr.urgent").first();
  await expect(row).toBeVisible();
  const number = (await row.locator("a").textContent()).trim();
  await row.locator("a").click();
  await expect(page.locator("h1")).toContainText(number);
  await page.getByRole("button", { name: "Start review" }).click();
  await expect(page.locator(".status-line")).toContainText("in review");
  await page.getByText("Approve with coverage").click();
  await page.getByLabel("Deductible ($)").fill("250.00");
  await page.getByLabel("Copay ($)").fill("20");
  await page.getByLabel("Answer to the doctor").fill("Covered; no prior authorization needed.");
  await page.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(page.locator(".status-line")).toContainText("approved");
  await expect(page.getByText("$250.00")).toBeVisible();
  await accessible(page, "approved request");
  await screenshot(page, "specialist-approved-request");
  // Back on the queue it is gone.
  await page.goto("/");
  await expect(page.locator("#sec-review").getByText(number)).toHaveCount(0);
  w.check();
});
