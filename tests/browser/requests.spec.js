// Verification requests and patients as staff work them, in Debian's chromium: a doctor fills
// in the new request form (a refused field first, then submitted) and the specialist's open
// queue shows it live; a specialist approves two requests at once and sees each row's
// result; a doctor finds a patient by phone, by date of birth with last name and by patient
// number, and no search term ever reaches the address bar; the demo's photo and letter are
// shown in the request's page, and a document uploaded there is shown too. Every page passes
// axe and raises no CSP violation.
const { test, expect } = require("@playwright/test");
const { PASSWORD, watch, signIn, accessible, screenshot } = require("./helpers");

async function bearer(request, email) {
  const login = await request.post("/api/v1/auth/login", { data: { email, password: PASSWORD } });
  expect(login.status()).toBe(200);
  return { Authorization: `Bearer ${(await login.json()).access_token}` };
}

/**
 * A submitted request of doctor@demo with the products of the approved demo one, for that
 * patient or for `patientId`.
 */
async function submittedRequest(request, auth, patientId) {
  const vr = (await (await request.get("/api/v1/ivrs?per_page=1&status=approved", { headers: auth })).json()).items[0];
  const created = await request.post("/api/v1/ivrs", {
    headers: auth,
    data: {
      patient_id: patientId || vr.patient_id,
      diagnosis_codes: vr.diagnosis_codes,
      products: vr.products.map((p) => ({
        product_id: p.product_id,
        sizes: p.sizes.map((s) => ({ product_size_id: s.product_size_id, quantity: 2 })),
      })),
    },
  });
  expect(created.status()).toBe(201);
  const id = (await created.json()).id;
  const submitted = await request.post(`/api/v1/ivrs/${id}/submit`, { headers: auth, data: {} });
  expect(submitted.status()).toBe(200);
  return submitted.json();
}

test("a doctor creates a request with the form, and the specialist's queue shows it live", async ({ browser }) => {
  const specialistCtx = await browser.newContext();
  const doctorCtx = await browser.newContext();
  const specialist = await specialistCtx.newPage();
  const doctor = await doctorCtx.newPage();
  const ws = watch(specialist);
  const wd = watch(doctor);
  await signIn(specialist, "specialist@demo.careline.test");
  await expect(specialist.locator("#live")).toHaveAttribute("data-state", "online");

  await signIn(doctor, "doctor@demo.careline.test");
  await doctor.locator("#sec-my-requests").getByRole("link", { name: "New verification request" }).click();
  await expect(doctor.getByRole("heading", { name: "New verification request" })).toBeVisible();
  await accessible(doctor, "new request form");
  await screenshot(doctor, "doctor-new-request");

  // The patient by name (in the page, not the URL), a size from the catalogue, a bad code.
  const patient = await doctor.locator("#patient_id option", { hasText: "Gonzalez, Maria" }).getAttribute("value");
  await doctor.getByLabel("Patient").selectOption(patient);
  await doctor.getByLabel("Priority").selectOption("urgent");
  await doctor.getByLabel("Diagnosis codes (ICD-10)").fill("E11.621, NOT-A-CODE");
  const size = doctor.getByLabel("Line 1: product and size");
  const firstSize = await size.locator("option:not([value=''])").first().getAttribute("value");
  await size.selectOption(firstSize);
  await doctor.getByLabel("Line 1: quantity").fill("6");
  await doctor.getByLabel("Line 2: quantity").fill("3"); // a quantity with no product
  await doctor.getByLabel("Medical justification").fill("Right heel ulcer, 2.4 x 1.5 cm, week 5.");
  await doctor.getByLabel("Note to the specialist").fill("Photos to follow.");
  await doctor.getByRole("button", { name: "Submit for review" }).click();

  // Refused: the problems listed at the top and beside their fields; nothing typed is lost.
  await expect(doctor.getByRole("alert", { name: "Please check the form" })).toContainText("NOT-A-CODE");
  await expect(doctor.getByRole("alert", { name: "Please check the form" })).toContainText("Line 2: product and size");
  await expect(doctor.getByLabel("Diagnosis codes (ICD-10)")).toHaveAttribute("aria-invalid", "true");
  await expect(doctor.getByLabel("Diagnosis codes (ICD-10)")).toHaveValue("E11.621, NOT-A-CODE");
  await expect(doctor.getByLabel("Patient")).toHaveValue(patient);
  await expect(doctor.getByLabel("Priority")).toHaveValue("urgent");
  await expect(doctor.getByLabel("Line 1: product and size")).toHaveValue(firstSize);
  await expect(doctor.getByLabel("Line 1: quantity")).toHaveValue("6");
  await expect(doctor.getByLabel("Note to the specialist")).toHaveValue("Photos to follow.");
  expect(doctor.url()).not.toContain("Gonzalez");
  await accessible(doctor, "new request form with problems");
  await screenshot(doctor, "doctor-new-request-refused");
  // The summary's link takes the keyboard to the field.
  await doctor.getByRole("alert", { name: "Please check the form" }).getByRole("link", { name: "Diagnosis codes" }).click();
  await expect(doctor.getByLabel("Diagnosis codes (ICD-10)")).toBeFocused();

  await doctor.getByLabel("Diagnosis codes (ICD-10)").fill("E11.621, L97.412");
  await doctor.getByLabel("Line 2: quantity").fill("");
  await doctor.getByRole("button", { name: "Submit for review" }).click();
  await expect(doctor).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  await expect(doctor.locator(".status-line")).toContainText("submitted");
  await expect(doctor.locator(".status-line")).toContainText("urgent");
  const number = (await doctor.locator("h1").textContent()).trim().split(" ").pop();

  // The specialist did nothing: the open queue shows it.
  await expect(specialist.locator("#sec-review").getByText(number)).toBeVisible();
  await screenshot(specialist, "live-queue-after-form");

  // Phone width: the form needs no sideways scrolling.
  await doctor.setViewportSize({ width: 390, height: 844 });
  await doctor.goto("/requests/new");
  const wide = await doctor.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  expect(wide, "no horizontal scrolling at phone width").toBe(false);
  await screenshot(doctor, "doctor-new-request-phone");
  ws.check();
  wd.check();
  await specialistCtx.close();
  await doctorCtx.close();
});

test("a specialist approves two requests at once and sees each one's result", async ({ page }) => {
  const w = watch(page);
  const doctorAuth = await bearer(page.request, "doctor@demo.careline.test");
  const specialistAuth = await bearer(page.request, "specialist@demo.careline.test");
  const inReview = await submittedRequest(page.request, doctorAuth);
  const started = await page.request.post(`/api/v1/ivrs/${inReview.id}/start-review`, { headers: specialistAuth, data: {} });
  expect(started.status()).toBe(200);
  // A request whose patient has since been archived: waiting for review, but not approvable.
  const patient = await page.request.post("/api/v1/patients", {
    headers: doctorAuth,
    data: {
      first_name: "Rosa", last_name: "Delgado", date_of_birth: "1961-05-09", phone: "502-555-0163",
      insurance: [{ payer_name: "Medicare Part B", member_id: "MBR-770311", is_primary: true }],
    },
  });
  expect(patient.status()).toBe(201);
  const patientId = (await patient.json()).id;
  const stuck = await submittedRequest(page.request, doctorAuth, patientId);
  expect((await page.request.delete(`/api/v1/patients/${patientId}`, { headers: doctorAuth })).status()).toBe(200);

  await signIn(page, "specialist@demo.careline.test");
  await page.goto("/requests");
  await expect(page.locator("#live")).toHaveAttribute("data-state", "online");
  await page.getByLabel(`Select request ${inReview.request_number}`).check();
  await page.getByLabel(`Select request ${stuck.request_number}`).check();
  // Another request arrives meanwhile: the list refreshes itself and keeps the ticks.
  const other = await submittedRequest(page.request, doctorAuth);
  await expect(page.locator("#list").getByText(other.request_number)).toBeVisible();
  await expect(page.getByLabel(`Select request ${inReview.request_number}`)).toBeChecked();
  await expect(page.getByLabel(`Select request ${stuck.request_number}`)).toBeChecked();
  await expect(page.getByLabel(`Select request ${other.request_number}`)).not.toBeChecked();
  await page.getByText("Approve the selected requests").click();
  await page.getByLabel("Deductible ($)").fill("100");
  await page.getByLabel("Copay ($)").fill("15");
  await accessible(page, "requests list with bulk approve");
  await page.getByRole("button", { name: "Approve selected" }).click();

  await expect(page.getByRole("heading", { name: "Bulk approve: 1 of 2 approved" })).toBeVisible();
  const approvedRow = page.locator("tr", { has: page.locator(`a[href="/requests/${inReview.id}"]`) });
  const refusedRow = page.locator("tr", { has: page.locator(`a[href="/requests/${stuck.id}"]`) });
  await expect(approvedRow.locator(".tag")).toHaveText("approved");
  await expect(refusedRow.locator(".tag")).toHaveText("not approved");
  await expect(refusedRow).toContainText("archived");
  await accessible(page, "bulk approve result");
  await screenshot(page, "specialist-bulk-approve");
  // The API agrees, row by row.
  const a = await (await page.request.get(`/api/v1/ivrs/${inReview.id}`, { headers: specialistAuth })).json();
  const b = await (await page.request.get(`/api/v1/ivrs/${stuck.id}`, { headers: specialistAuth })).json();
  expect(a.status).toBe("approved");
  expect(a.coverage.deductible_cents).toBe(10000);
  expect(b.status).toBe("submitted");
  w.check();
});

test("a doctor finds a patient by phone, birth date with last name, and number; no URL holds PHI", async ({ page }) => {
  const w = watch(page);
  const phi = ["Gonzalez", "Maria", "1958-03-14", "5025550142", "502-555-0142"];
  const urls = [];
  page.on("request", (r) => urls.push(r.url()));
  await signIn(page, "doctor@demo.careline.test");
  await page.goto("/patients");
  const search = page.getByRole("search", { name: "Find a patient" });
  const results = page.locator("table.rows tbody");

  await search.getByLabel("Phone").fill("502-555-0142");
  await search.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("heading", { name: "1 found" })).toBeVisible();
  await expect(results).toContainText("Gonzalez, Maria");
  await expect(search.getByLabel("Phone")).toHaveValue("502-555-0142");
  await accessible(page, "patient search results");
  await screenshot(page, "doctor-patient-search");
  const number = (await results.locator("tr").first().locator("td").nth(1).textContent()).trim();

  await search.getByLabel("Phone").fill("");
  await search.getByLabel("Date of birth").fill("1958-03-14");
  await search.getByLabel("Last name").fill("Gonzalez");
  await search.getByRole("button", { name: "Search" }).click();
  await expect(results).toContainText("Gonzalez, Maria");
  await expect(results.locator("tr")).toHaveCount(1);

  await search.getByLabel("Date of birth").fill("");
  await search.getByLabel("Last name").fill("");
  await search.getByLabel("Patient number").fill(number);
  await search.getByRole("button", { name: "Search" }).click();
  await expect(results).toContainText("Gonzalez, Maria");

  // Another doctor's patient is never found.
  await search.getByLabel("Patient number").fill("");
  await search.getByLabel("Phone").fill("502-555-0199");
  await search.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("heading", { name: "0 found" })).toBeVisible();

  // The result links to the patient by id; nothing asked for or shown reached a URL.
  await search.getByLabel("Phone").fill("502-555-0142");
  await search.getByRole("button", { name: "Search" }).click();
  await results.getByRole("link", { name: "Gonzalez, Maria" }).click();
  await expect(page).toHaveURL(/\/patients\/[0-9a-f-]{36}$/);
  await expect(page.locator("h1")).toContainText("Maria Gonzalez");
  for (const url of urls.concat([page.url()])) {
    for (const p of phi) expect(url, `PHI ${p} in ${url}`).not.toContain(p);
  }
  const history = await page.evaluate(() => window.location.href);
  for (const p of phi) expect(history).not.toContain(p);
  w.check();
});

test("the demo's photo and letter are shown in the request's page, and an upload is too", async ({ page }) => {
  const w = watch(page);
  await signIn(page, "doctor@demo.careline.test");
  const auth = await bearer(page.request, "doctor@demo.careline.test");
  // The demo's approved request with the photo and the letter (others may be approved by now).
  const approved = (await (await page.request.get("/api/v1/ivrs?per_page=200&status=approved", { headers: auth })).json()).items;
  let vr, docs, pdf;
  for (const candidate of approved) {
    docs = await (await page.request.get(`/api/v1/ivrs/${candidate.id}/documents`, { headers: auth })).json();
    pdf = docs.find((d) => d.content_type === "application/pdf");
    if (pdf) { vr = candidate; break; }
  }
  expect(pdf, "the demo request has a PDF").toBeTruthy();

  const pdfAnswer = page.waitForResponse((r) => r.url().includes(`/documents/${pdf.id}?disposition=inline`));
  await page.goto(`/requests/${vr.id}`);
  const photo = page.locator("img.preview").first();
  await photo.scrollIntoViewIfNeeded();
  await expect(photo).toHaveAttribute("alt", "wound-photo.png");
  await expect.poll(() => photo.evaluate((img) => img.complete && img.naturalWidth)).toBe(160);
  // The letter in a frame: the frame's answer is the PDF, inline, and may be framed by us.
  const frame = page.locator("iframe.preview");
  await frame.scrollIntoViewIfNeeded();
  await expect(frame).toHaveAttribute("title", "referral-letter.pdf (PDF)");
  const answer = await pdfAnswer;
  expect(answer.status()).toBe(200);
  expect(answer.headers()["content-type"]).toBe("application/pdf");
  expect(answer.headers()["content-disposition"]).toMatch(/^inline;/);
  expect(answer.headers()["x-frame-options"]).toBe("SAMEORIGIN");
  // The frame holds a PDF document (the browser's viewer, not a download or a blocked frame)…
  const pdfFrame = page.frames().find((f) => f.url().includes(`/documents/${pdf.id}?disposition=inline`));
  expect(pdfFrame, "the letter's frame").toBeTruthy();
  await expect.poll(() => pdfFrame.evaluate(() => document.contentType)).toBe("application/pdf");
  // …and the file itself, fetched again, is the letter.
  const file = await page.request.get(answer.url());
  expect((await file.body()).subarray(0, 5).toString()).toBe("%PDF-");
  await accessible(page, "request with previews");
  await screenshot(page, "doctor-request-previews");

  // Upload a copy of the photo under another name; it is listed and shown.
  const bytes = await (await page.request.get(`/api/v1/ivrs/${vr.id}/documents/${docs.find((d) => d.content_type === "image/png").id}`, { headers: auth })).body();
  const name = `heel week 5 ${Date.now()}.png`;
  const form = page.locator("form.upload");
  await expect(form).toBeVisible();
  await form.getByLabel("Add a document").setInputFiles({ name, mimeType: "image/png", buffer: bytes });
  // By keyboard (which also shows the form works without a mouse): in headless chromium the
  // first mouse click after scrolling a page that holds the PDF viewer's frame is at times
  // not delivered to the page at all (seen in about half the runs; later clicks arrive).
  await form.getByRole("button", { name: "Upload" }).press("Enter");
  await expect(form.getByRole("status")).toHaveText(`Uploaded ${name}.`);
  const added = page.getByRole("img", { name });
  await added.scrollIntoViewIfNeeded();
  await expect.poll(() => added.evaluate((img) => img.complete && img.naturalWidth)).toBe(160);
  // A type that is refused is said so, in the API's words.
  await form.getByLabel("Add a document").setInputFiles({ name: "drawing.svg", mimeType: "image/svg+xml", buffer: Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>") });
  await form.getByRole("button", { name: "Upload" }).press("Enter");
  await expect(form.getByRole("status")).toContainText("Not uploaded: documents must be PDF, JPEG, PNG, TIFF or plain text");
  await accessible(page, "request after upload");
  await screenshot(page, "doctor-request-upload");
  w.check();
});
