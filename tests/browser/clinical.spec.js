// A practice's clinical work in Debian's chromium, on the demo's Capitol Eye Care: the nurse
// opens her tasks and Eleanor Brooks's results and medications, records a result (refused at
// its field first, with what she typed kept) and takes a refill request for alprazolam;
// Dr. Patel's task list (already open in another browser) shows the refill live; she approves
// it with the controlled-substance flag in view, and the nurse's open refill list shows the
// approval without a reload; she releases the result awaiting review, and acknowledges the
// patient's message. The nurse drafts a prior
// authorization (a bad code is shown at its field) and submits it. The practice manager
// changes Monday's hours, and a second, stale copy of the form is refused with the conflict
// said plainly. Every page passes axe and raises no CSP violation.
const { test, expect } = require("@playwright/test");
const { watch, signIn, accessible, screenshot } = require("./helpers");

test("nurse and doctor work tasks, results, refills and messages; the doctor's tasks follow live", async ({ browser }) => {
  test.setTimeout(120_000);
  const nurseCtx = await browser.newContext();
  const drCtx = await browser.newContext();
  const nurse = await nurseCtx.newPage();
  const dr = await drCtx.newPage();
  const wn = watch(nurse);
  const wd = watch(dr);

  // Dr. Patel's tasks, open before anything happens: the demo's message for her.
  await signIn(dr, "dr.patel@demo.careline.test");
  await dr.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Tasks" }).click();
  await expect(dr.getByRole("heading", { name: "Tasks", exact: true })).toBeVisible();
  await expect(dr.locator("#live")).toHaveAttribute("data-state", "online");
  await expect(dr.locator("#tasks tbody tr", { hasText: "Message" }).first()).toContainText("Brooks, Eleanor");
  const refillTasks = dr.locator("#tasks tbody tr", { hasText: "Review a refill request" });
  const before = await refillTasks.count();
  await accessible(dr, "tasks");
  await screenshot(dr, "clinical-tasks");

  // The nurse: her tasks, then Eleanor's page with results and medications.
  await signIn(nurse, "nurse@demo.careline.test");
  await nurse.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Tasks" }).click();
  await nurse.locator("#tasks tbody a", { hasText: "Brooks, Eleanor" }).first().click();
  await expect(nurse.getByRole("heading", { name: "Eleanor Brooks" })).toBeVisible();
  const eleanorPage = new URL(nurse.url()).pathname;
  const labs = nurse.locator("#lab-results");
  await expect(labs.locator("tbody tr")).toHaveCount(3);
  await expect(labs.locator("tr", { hasText: "Intraocular pressure" })).toContainText("abnormal");
  await expect(labs.locator("tr", { hasText: "Lipid panel" })).toContainText("pending review");
  await expect(labs.getByRole("button", { name: /^Release/ })).toHaveCount(0);
  const meds = nurse.locator("#medications");
  await expect(meds.locator("tr", { hasText: "Alprazolam" })).toContainText("Controlled substance, schedule IV");
  await accessible(nurse, "patient with results and medications");
  await screenshot(nurse, "clinical-patient");

  // She records a result: first with a collection time in the future, which is refused at
  // its field with everything she typed kept, then corrected.
  await nurse.getByText("Record a lab result").click();
  await nurse.getByLabel("Test").fill("Central corneal thickness");
  await nurse.getByLabel("Result", { exact: true }).fill("540");
  await nurse.getByLabel("Unit").fill("µm");
  await nurse.getByLabel("Reference range").fill("500-570");
  await nurse.getByLabel("Flag").selectOption("abnormal");
  const collected = await nurse.getByLabel("Collected").inputValue();
  await nurse.getByLabel("Collected").fill("2099-01-05T09:30");
  await nurse.getByRole("button", { name: "Record result" }).click();
  await expect(nurse.locator("#lab-collected_at-error")).toContainText("must not be in the future");
  await expect(nurse.getByLabel("Collected")).toHaveAttribute("aria-invalid", "true");
  await expect(nurse.getByRole("alert").filter({ hasText: "not recorded" })).toBeVisible();
  await expect(nurse.getByLabel("Test")).toHaveValue("Central corneal thickness");
  await expect(nurse.getByLabel("Unit")).toHaveValue("µm");
  await expect(nurse.getByLabel("Flag")).toHaveValue("abnormal");
  await expect(labs.locator("tr", { hasText: "Central corneal thickness" })).toHaveCount(0);
  await accessible(nurse, "lab result refused at a field");
  await screenshot(nurse, "clinical-lab-result-error");
  await nurse.getByLabel("Flag").selectOption("normal");
  await nurse.getByLabel("Collected").fill(collected);
  await nurse.getByRole("button", { name: "Record result" }).click();
  await expect(labs.locator("tr", { hasText: "Central corneal thickness" })).toContainText("pending review");
  await expect(nurse.locator("#lab-collected_at-error")).toHaveCount(0);

  // …and takes a refill request for the controlled substance: it lands on the queue, flagged.
  await meds.locator("tr", { hasText: "Alprazolam" }).getByLabel("Note for the provider (optional)").fill("before her procedure");
  await meds.getByRole("button", { name: /^Request refill: Alprazolam/ }).click();
  await expect(nurse.getByRole("heading", { name: "Refill requests", exact: true })).toBeVisible();
  const nurseRow = nurse.locator("#refills tbody tr", { hasText: "Alprazolam" }).last();
  await expect(nurseRow).toContainText("Controlled substance, schedule IV");
  await expect(nurseRow.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await accessible(nurse, "refills (nurse)");
  // She keeps every refill request open, to see the doctor's decision when it comes.
  await nurse.getByLabel("Show").selectOption("all");
  await nurse.getByRole("button", { name: "Show" }).click();
  const nurseAll = nurse.locator("#refills tbody tr", { hasText: "before her procedure" });
  await expect(nurseAll).toContainText("pending");
  await expect(nurse.locator("#live")).toHaveAttribute("data-state", "online");
  await nurse.evaluate(() => { window.__notReloaded = true; });

  // The doctor's task list grew without a reload.
  await expect(refillTasks).toHaveCount(before + 1);

  // She approves it, with the flag in view and a note.
  await dr.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Refills" }).click();
  const row = dr.locator("#refills tbody tr", { hasText: "before her procedure" });
  await expect(row).toContainText("Controlled substance, schedule IV");
  await accessible(dr, "refills (doctor)");
  await screenshot(dr, "clinical-refills");
  await row.getByLabel("Note (optional)").fill("ok for the procedure only");
  // A new request arrives while she types: the list says it changed but keeps her words
  // (it is not swapped under her) until she acts.
  const nurse2 = await nurseCtx.newPage();
  await nurse2.goto(eleanorPage);
  const latanoprost = nurse2.locator("#medications tr", { hasText: "Latanoprost" });
  await latanoprost.getByLabel("Note for the provider (optional)").fill("running low on drops");
  await latanoprost.getByRole("button", { name: /^Request refill: Latanoprost/ }).click();
  await expect(nurse2.getByRole("heading", { name: "Refill requests", exact: true })).toBeVisible();
  await expect(dr.locator("#refills .stale-note")).toContainText("changed since you began typing");
  await expect(row.getByLabel("Note (optional)")).toHaveValue("ok for the procedure only");
  await expect(dr.locator("#refills tbody tr", { hasText: "running low on drops" })).toHaveCount(0);
  await accessible(dr, "refills changed while typing");
  await nurse2.close();
  await row.getByRole("button", { name: "Approve" }).click();
  await expect(dr.locator("#refills tbody tr", { hasText: "running low on drops" })).toHaveCount(1);
  await expect(dr.locator("#refills tbody tr", { hasText: "before her procedure" })).toHaveCount(0);
  // The nurse's open list shows the approval without a reload (REFILL_REQUEST_CHANGED).
  await expect(nurseAll).toContainText("approved");
  await expect(nurseAll).toContainText("ok for the procedure only");
  expect(await nurse.evaluate(() => window.__notReloaded)).toBe(true);
  await dr.getByLabel("Show").selectOption("approved");
  await dr.getByRole("button", { name: "Show" }).click();
  await expect(dr.locator("#refills tbody tr", { hasText: "before her procedure" })).toContainText("ok for the procedure only");

  // She releases the result awaiting review; the medication shows the fill.
  await dr.goto(eleanorPage);
  const lipid = dr.locator("#lab-results tr", { hasText: "Lipid panel" });
  await lipid.getByRole("button", { name: /^Release/ }).click();
  await expect(dr.locator("#lab-results tr", { hasText: "Lipid panel" })).toContainText("released");
  await expect(dr.locator("#medications tr", { hasText: "Alprazolam" }).locator("td").nth(3)).toHaveText("0");
  await accessible(dr, "patient (doctor)");

  // And acknowledges Eleanor's message.
  await dr.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Messages" }).click();
  const msg = dr.locator("#messages tbody tr", { hasText: "eye drops the morning of her exam" });
  await expect(msg).toContainText("routine");
  await accessible(dr, "messages");
  await screenshot(dr, "clinical-messages");
  await msg.getByRole("button", { name: "Acknowledge" }).click();
  await expect(dr.locator("#messages tbody tr", { hasText: "eye drops the morning of her exam" })).toHaveCount(0);

  wn.check();
  wd.check();
  await nurseCtx.close();
  await drCtx.close();
});

test("the nurse drafts a prior authorization; a bad code is shown at its field", async ({ page }) => {
  const w = watch(page);
  await signIn(page, "nurse@demo.careline.test");
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Prior authorizations" }).click();
  await page.getByRole("link", { name: "New prior authorization" }).click();
  await accessible(page, "new prior authorization");
  const eleanor = await page.locator("#patient_id option", { hasText: "Brooks, Eleanor" }).getAttribute("value");
  await page.locator("#patient_id").selectOption(eleanor);
  await page.getByLabel("Payer").fill("Blue Cross Blue Shield of Texas");
  await page.getByLabel("Member id").fill("XZB123456781");
  await page.getByLabel("Procedure codes (CPT or HCPCS)").fill("67028, 9999");
  await page.getByLabel("Diagnosis codes (ICD-10-CM)").fill("H35.3211");
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.locator("#procedure_codes-error")).toContainText("'9999' is not a CPT code");
  await expect(page.getByLabel("Procedure codes (CPT or HCPCS)")).toHaveAttribute("aria-invalid", "true");
  await accessible(page, "prior authorization with a bad code");
  await screenshot(page, "clinical-prior-auth-error");
  await page.getByLabel("Procedure codes (CPT or HCPCS)").fill("67028");
  await page.getByRole("button", { name: "Save draft" }).click();
  const draft = page.locator("#auths tbody tr", { hasText: "XZB" }).or(page.locator("#auths tbody tr", { hasText: "67028" })).first();
  await expect(draft).toContainText("draft");
  await draft.getByRole("button", { name: "Submit to payer" }).click();
  // The payer simulator pends it, then answers (member id not ending in 0: approved).
  await expect(page.locator("#auths tbody tr", { hasText: "67028" }).first()).not.toContainText("draft");
  await accessible(page, "prior authorizations");
  await screenshot(page, "clinical-prior-auths");
  w.check();
});

test("the manager changes the practice's hours; a stale copy of the form is refused", async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const stale = await ctx.newPage();
  const w = watch(page);
  const ws = watch(stale);
  await signIn(page, "manager@demo.careline.test");
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Practice" }).click();
  await expect(page.getByRole("heading", { name: /Practice configuration · Capitol Eye Care/ })).toBeVisible();
  await accessible(page, "practice configuration");
  await screenshot(page, "practice-configuration");
  // A second tab with the same version.
  await stale.goto("/practice");

  // A problem at a field first: nothing saved, said at the field.
  await page.getByLabel("Time zone (IANA, such as America/Chicago)").fill("Mars/Olympus");
  await page.getByRole("button", { name: "Save the configuration" }).click();
  await expect(page.locator("#time_zone-error")).toBeVisible();
  await accessible(page, "practice configuration with a problem");
  await page.getByLabel("Time zone (IANA, such as America/Chicago)").fill("America/Chicago");

  const original = await page.getByLabel("Monday closes").inputValue();
  await page.getByLabel("Monday closes").fill("16:00");
  await page.getByRole("button", { name: "Save the configuration" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(page.getByLabel("Monday closes")).toHaveValue("16:00");

  // The other tab still has the old version: its save is refused, and says why.
  await stale.getByLabel("Friday closes").fill("15:00");
  await stale.getByRole("button", { name: "Save the configuration" }).click();
  await expect(stale.getByRole("heading", { name: "Changed by someone else" })).toBeVisible();
  await expect(stale.getByRole("alert").filter({ hasText: "Not saved" })).toBeVisible();
  await accessible(stale, "practice configuration conflict");
  await screenshot(stale, "practice-configuration-conflict");
  await stale.getByRole("link", { name: "Open the current configuration" }).click();
  await expect(stale.getByLabel("Monday closes")).toHaveValue("16:00");
  await expect(stale.getByLabel("Friday closes")).not.toHaveValue("15:00");

  // Put Monday back for the other scenarios.
  await stale.getByLabel("Monday closes").fill(original);
  await stale.getByRole("button", { name: "Save the configuration" }).click();
  await expect(stale.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  w.check();
  ws.check();
  await ctx.close();
});
