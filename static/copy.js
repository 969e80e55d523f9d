// static/copy.js — the Copy button beside a read-only field
// (redirect_uri_field in templates/macros.cs): shown only where this runs;
// copies the field's value with navigator.clipboard and says so. Without
// JavaScript the field stays, read-only, to select by hand.
'use strict';

document.querySelectorAll('button[data-copy]').forEach((button) => {
	const field = document.getElementById(button.dataset.copy);
	const status = button.parentElement.querySelector('.copy-status');
	// Loaded once per field that needs it: each button is set up once.
	if (field === null || button.dataset.copyReady)
		return;
	button.dataset.copyReady = '1';
	field.addEventListener('focus', () => field.select());
	if (!navigator.clipboard)
		return;
	button.hidden = false;
	button.addEventListener('click', async () => {
		try {
			await navigator.clipboard.writeText(field.value);
			if (status !== null)
				status.textContent = 'Copied';
		} catch {
			field.select();
			if (status !== null)
				status.textContent = 'Press Ctrl+C to copy';
		}
	});
});
