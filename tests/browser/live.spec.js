// Live updates in the browser: a change made by one person appears on another's open page
// without a reload, through /ws/dashboard; and after the server restarts the page reconnects
// and replays what it missed, losing nothing.
const { test, expect } = require("@playwright/test");
const { execFileSync } = require("child_process");
const { watch, signIn, screenshot } = require("./helpers");

/** A complete draft request of doctor@demo, made through the API; its id and number. */
async function draft(request) {
  const login = await request.post("/api/v1/auth/login", {
    data: { email: "doctor@demo.careline.test", password: "Harbor-Light-2026!" },
  });
  const auth = { Authorization: `Bearer ${(await login.json()).access_token}` };
  const vr = (await (await request.get("/api/v1/ivrs?per_page=1&status=approved", { headers: auth })).json()).items[0];
  const created = await request.post("/api/v1/ivrs", {
    headers: auth,
    data: {
      patient_id: vr.patient_id,
      diagnosis_codes: vr.diagnosis_codes,
      products: vr.products.map((p) => ({
        product_id: p.product_id,
        sizes: p.sizes.map((s) => ({ product_size_id: s.product_size_id, quantity: 1 })),
      })),
    },
  });
  expect(created.status()).toBe(201);
  return { auth, vr: await created.json() };
}

async function liveOn(page) {
  await expect(page.locator("#live")).toHaveAttribute("data-state", "online");
}

test("a request the doctor submits appears in the specialist's open queue, live", async ({ browser }) => {
  const specialistCtx = await browser.newContext();
  const doctorCtx = await browser.newContext();
  const specialist = await specialistCtx.newPage();
  const doctor = await doctorCtx.newPage();
  const w = watch(specialist);
  await signIn(specialist, "specialist@demo.careline.test");
  await liveOn(specialist);
  const before = await specialist.locator("#sec-review tbody tr").count();

  // The doctor opens a draft and submits it from its page.
  const { vr } = await draft(doctorCtx.request);
  const number = vr.request_number;
  await signIn(doctor, "doctor@demo.careline.test");
  await doctor.goto(`/requests/${vr.id}`);
  await doctor.getByRole("button", { name: "Submit for review" }).click();
  await expect(doctor.locator(".status-line")).toContainText("submitted");

  // The specialist did nothing: the queue shows it.
  await expect(specialist.locator("#sec-review").getByText(number)).toBeVisible();
  await expect(specialist.locator("#sec-review tbody tr")).toHaveCount(before + 1);
  await screenshot(specialist, "live-queue-after-submit");

  // The specialist starts review; the doctor's open request page changes by itself.
  const vrId = doctor.url().split("/").pop();
  await specialist.goto(`/requests/${vrId}`);
  await liveOn(doctor);
  await specialist.getByRole("button", { name: "Start review" }).click();
  await expect(doctor.locator(".status-line")).toContainText("in review");
  w.check();
  await specialistCtx.close();
  await doctorCtx.close();
});

test("after a server restart the page reconnects and replays what it missed", async ({ browser }) => {
  test.skip(!process.env.BROWSER_STOP, "run through tests/browser/run.sh, which can restart the server");
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, "specialist@demo.careline.test");
  await liveOn(page);
  // A complete draft of the doctor's, made before the restart (sessions live in the
  // database, so the token still works after it).
  const { auth, vr } = await draft(ctx.request);
  // Down for three seconds: the page sees the socket close and backs off between retries.
  execFileSync(process.env.BROWSER_STOP);
  await expect(page.locator("#live")).toHaveAttribute("data-state", "offline");
  await page.waitForTimeout(3000);
  execFileSync(process.env.BROWSER_START);
  // Straight after the start, before the page's next retry: the change it must not miss.
  const submitted = await ctx.request.post(`/api/v1/ivrs/${vr.id}/submit`, { headers: auth, data: {} });
  expect(submitted.status()).toBe(200);
  const number = (await submitted.json()).request_number;

  // The page reconnects with the last seq it saw and the queue shows the request, no reload.
  await liveOn(page);
  await expect(page.locator("#sec-review").getByText(number)).toBeVisible();
  await screenshot(page, "live-queue-after-restart");
  await ctx.close();
});
