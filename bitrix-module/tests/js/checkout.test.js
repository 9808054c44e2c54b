// checkout.js in a minimal DOM: the pickup button, the widget frame, the widget's message, the
// order property and the recalculation. Run by CheckoutScriptTest (node, no packages needed).
'use strict';

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vm = require('vm');

class Element {
	constructor(tagName) {
		this.tagName = tagName.toUpperCase();
		this.children = [];
		this.parentNode = null;
		this.attributes = {};
		this.style = {};
		this.textContent = '';
		this.id = '';
		this.name = '';
		this.value = '';
		this.type = '';
		this.className = '';
	}
	appendChild(child) { child.parentNode = this; this.children.push(child); return child; }
	removeChild(child) { this.children = this.children.filter((c) => c !== child); child.parentNode = null; }
	setAttribute(key, value) { this.attributes[key] = String(value); }
	getAttribute(key) { return key in this.attributes ? this.attributes[key] : null; }
	set innerHTML(_) { this.children = []; }
	descendants() { return this.children.flatMap((c) => [c, ...c.descendants()]); }
	querySelector(selector) { return this.descendants().find((n) => matches(n, selector)) || null; }
}

function matches(node, selector) {
	let m;
	if ((m = /^#([\w-]+)$/.exec(selector))) return node.id === m[1];
	if ((m = /^\.([\w-]+)$/.exec(selector))) return node.className.split(' ').includes(m[1]);
	if ((m = /^(\w+)?\[([\w-]+)="([^"]*)"\]$/.exec(selector))) {
		if (m[1] && node.tagName !== m[1].toUpperCase()) return false;
		const value = m[2] === 'name' ? node.name : node.getAttribute(m[2]);
		return value === m[3];
	}
	return false;
}

function checkout({ checkedDelivery, propertyValue = '' }) {
	const body = new Element('body');
	const form = body.appendChild(new Element('form'));
	form.id = 'bx-soa-order-form';
	const deliveryBlock = body.appendChild(new Element('div'));
	deliveryBlock.id = 'bx-soa-delivery';
	const propertyRow = body.appendChild(new Element('div'));
	propertyRow.setAttribute('data-property-id-row', '21');
	const document = {
		body,
		createElement: (tag) => new Element(tag),
		getElementById: (id) => body.descendants().find((n) => n.id === id) || null,
		querySelector: (selector) => body.querySelector(selector),
	};
	const listeners = {};
	const storage = new Map();
	const requests = [];
	const ajaxHandlers = [];
	const customEvents = [];
	const window = {
		location: { origin: 'https://shop.example.ru' },
		sessionStorage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => storage.set(k, v) },
		setTimeout: (fn) => fn(),
		addEventListener: (type, fn) => { listeners[type] = fn; },
		BX: {
			ready: (fn) => fn(),
			addCustomEvent: (name, fn) => ajaxHandlers.push(fn),
			onCustomEvent: (name, args) => customEvents.push([name, ...args]),
			Sale: {
				OrderAjaxComponent: {
					result: {
						DELIVERY: [{ ID: 31, CHECKED: checkedDelivery === 31 ? 'Y' : 'N' }, { ID: 33, CHECKED: checkedDelivery === 33 ? 'Y' : 'N' }],
						ORDER_PROP: { properties: [{ ID: 20, CODE: 'CITY', VALUE: ['Москва'] }, { ID: 21, CODE: 'OZON_PVZ', VALUE: [propertyValue] }] },
						OZON_ROCKET: {
							propertyCode: 'OZON_PVZ',
							deliveries: { 33: { widgetUrl: 'https://bridge.example.ru/widget/pickup-points?shop_id=s-1', origin: 'https://bridge.example.ru' } },
							city: 'Москва',
							weight: 2000,
							messages: { choose: 'Выбрать пункт выдачи', change: 'Выбрать другой пункт', chosen: 'Пункт выдачи:', close: 'Закрыть', title: 'Пункты' },
						},
					},
					sendRequest: () => requests.push('refreshOrderAjax'),
				},
			},
		},
	};
	const code = fs.readFileSync(path.join(__dirname, '../../ozonbridge.ozonrocket/install/js/ozonbridge.ozonrocket/checkout.js'), 'utf8');
	vm.runInNewContext(code, { window, document, JSON, Object, String, encodeURIComponent });
	const post = (origin, data) => listeners.message({ origin, data });
	return { window, document, form, propertyRow, requests, post, ajaxHandlers, customEvents };
}

function blockButton(page) {
	const block = page.document.getElementById('ozon-rocket-pickup-point');
	return block ? block.children.find((c) => c.tagName === 'BUTTON') : null;
}

// Another delivery is checked: no button.
assert.strictEqual(blockButton(checkout({ checkedDelivery: 31 })), null);

// The pickup profile is checked: a button that opens the widget with the checkout's origin.
const page = checkout({ checkedDelivery: 33 });
const button = blockButton(page);
assert.strictEqual(button.textContent, 'Выбрать пункт выдачи');
assert.ok(button.className.split(' ').includes('ozon-rocket-pvz-button'), 'templates style it by this class');
assert.strictEqual(page.propertyRow.style.display, 'none', 'the raw property field is replaced by the button');
button.onclick();
const frame = page.document.body.descendants().find((n) => n.tagName === 'IFRAME');
assert.strictEqual(frame.className, 'ozon-rocket-pvz-frame');
assert.strictEqual(
	frame.src,
	'https://bridge.example.ru/widget/pickup-points?shop_id=s-1&city=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0&weight=2000&origin=https%3A%2F%2Fshop.example.ru',
);

// A message from any other origin is ignored.
page.post('https://evil.example.com', { type: 'ozon-rocket:pickup-point-selected', point: { id: 'PVZ-EVIL' } });
assert.strictEqual(page.form.querySelector('[name="ORDER_PROP_21"]'), null);
assert.deepStrictEqual(page.requests, []);

// The widget's choice: into ORDER_PROP_21, the frame closes, the checkout recalculates.
page.post('https://bridge.example.ru', JSON.stringify({ type: 'ozon-rocket:pickup-point-selected', point: { id: 'PVZ-77-000123', name: 'ПВЗ на Тверской', address: 'Тверская ул., 7' } }));
assert.strictEqual(page.form.querySelector('[name="ORDER_PROP_21"]').value, 'PVZ-77-000123');
assert.strictEqual(page.document.getElementById('ozon-rocket-widget-overlay'), null);
assert.deepStrictEqual(page.requests, ['refreshOrderAjax']);
assert.deepStrictEqual(page.customEvents.map((e) => [e[0], e[1].id]), [['onOzonRocketPickupPointSelected', 'PVZ-77-000123']]);

// After the refresh the block names the chosen point.
page.window.BX.Sale.OrderAjaxComponent.result.ORDER_PROP.properties[1].VALUE = ['PVZ-77-000123'];
page.ajaxHandlers.forEach((fn) => fn());
const block = page.document.getElementById('ozon-rocket-pickup-point');
assert.strictEqual(block.children[0].textContent, 'Пункт выдачи: ПВЗ на Тверской, Тверская ул., 7');
assert.strictEqual(blockButton(page).textContent, 'Выбрать другой пункт');

// Embedded in the page instead of a frame: window.OzonRocketWidget.onSelect does the same.
const embedded = checkout({ checkedDelivery: 33 });
embedded.window.OzonRocketWidget.onSelect({ id: 'PVZ-77-000124' });
assert.strictEqual(embedded.form.querySelector('[name="ORDER_PROP_21"]').value, 'PVZ-77-000124');
assert.deepStrictEqual(embedded.requests, ['refreshOrderAjax']);

// A malformed point changes nothing.
embedded.window.OzonRocketWidget.onSelect({ id: 'x'.repeat(65) });
assert.strictEqual(embedded.form.querySelector('[name="ORDER_PROP_21"]').value, 'PVZ-77-000124');

console.log('checkout.js: ok');
