// A recorded call played in the browser: an admin opens the demo's recorded call, plays it in
// the page's audio player and seeks to 2 s. The player fetches the recording from the API's
// route with the session cookie, in byte ranges the server answers with 206.
const { test, expect } = require("@playwright/test");
const { watch, signIn, accessible, screenshot } = require("./helpers");

// src/demo.rs DEMO_RECORDED_CALL
const CALL = "SIP-demo-recorded-call-0001";

test("an admin plays the demo's recorded call and seeks to 2 s", async ({ page }) => {
  const w = watch(page);
  const recording = [];
  page.on("response", (r) => {
    if (r.url().endsWith(`/api/v1/calls/${CALL}/recording`)) {
      recording.push({
        status: r.status(),
        range: r.request().headers()["range"] || null,
        contentRange: r.headers()["content-range"] || null,
      });
    }
  });
  await signIn(page, "admin@demo.careline.test");
  // From the call log to the call, as staff would.
  await page.goto("/calls");
  await page.locator(`a[href="/calls/${CALL}"]`).first().click();
  await expect(page.locator("h1")).toBeVisible();
  await expect(page.getByText("check order status")).toBeVisible();
  await accessible(page, "recorded call");
  const audio = page.locator("audio");
  await expect(audio).toHaveAttribute("src", `/api/v1/calls/${CALL}/recording`);

  // A click on the page is the user's gesture the browser's autoplay policy asks for.
  await page.locator("h1").click();
  const played = await audio.evaluate(
    (a) =>
      new Promise((resolve) => {
        a.addEventListener("playing", () => resolve({ ok: true, duration: a.duration }), { once: true });
        a.addEventListener("error", () => resolve({ ok: false, error: a.error && a.error.code }), { once: true });
        a.play().catch((e) => resolve({ ok: false, error: String(e) }));
      })
  );
  expect(played.ok, JSON.stringify(played)).toBe(true);
  expect(played.duration).toBeGreaterThanOrEqual(5);

  // Seek to 2 s: 'seeked' fires with the player there, and no media error.
  const seeked = await audio.evaluate(
    (a) =>
      new Promise((resolve) => {
        a.addEventListener("seeked", () => resolve({ t: a.currentTime, error: a.error && a.error.code }), { once: true });
        a.currentTime = 2;
      })
  );
  expect(seeked.error).toBeNull();
  expect(seeked.t).toBeGreaterThanOrEqual(2);
  // It plays on from there.
  await expect
    .poll(() => audio.evaluate((a) => a.currentTime), { timeout: 10_000 })
    .toBeGreaterThan(2.2);
  expect(await audio.evaluate((a) => a.error)).toBeNull();
  await audio.evaluate((a) => a.pause());

  // The server answered the player's Range requests with 206 and a Content-Range.
  const partial = recording.filter((r) => r.status === 206);
  expect(partial.length, JSON.stringify(recording)).toBeGreaterThan(0);
  for (const r of partial) {
    expect(r.range).toMatch(/^bytes=\d*-\d*$/);
    expect(r.contentRange).toMatch(/^bytes \d+-\d+\/\d+$/);
  }
  expect(recording.filter((r) => r.status >= 400), JSON.stringify(recording)).toEqual([]);
  await screenshot(page, "admin-recorded-call");
  w.check();
});
