/**
 * Ozon Rocket pickup points in sale.order.ajax.
 *
 * The module puts its settings into the component's data (BX.Sale.OrderAjaxComponent.result.OZON_ROCKET):
 * which delivery ids are Ozon Rocket pickup-point profiles and where their widget lives. When such a
 * delivery is checked, this script shows a "choose a pickup point" button; the button opens the
 * bridge's widget in a frame; the widget posts
 *   {type: "ozon-rocket:pickup-point-selected", point: {id, name, address, ...}}
 * to this window (or calls window.OzonRocketWidget.onSelect(point) when embedded in the page);
 * the script writes point.id into the order property and asks the component to recalculate.
 * Templates can follow the choice with BX.addCustomEvent('onOzonRocketPickupPointSelected', fn(point)).
 *
 * The only checkout script of the project: installed with the module as
 * /bitrix/js/ozonbridge.ozonrocket/checkout.js; the bridge serves the widget page alone.
 */
(function (window, document) {
	'use strict';

	var MESSAGE_TYPE = 'ozon-rocket:pickup-point-selected';
	var STORAGE_KEY = 'ozonRocketPickupPoint';
	var BLOCK_ID = 'ozon-rocket-pickup-point';
	var OVERLAY_ID = 'ozon-rocket-widget-overlay';
	var SELECTED_EVENT = 'onOzonRocketPickupPointSelected';

	function component() {
		var bx = window.BX;
		return bx && bx.Sale && bx.Sale.OrderAjaxComponent ? bx.Sale.OrderAjaxComponent : null;
	}

	function config() {
		var soa = component();
		return soa && soa.result && soa.result.OZON_ROCKET ? soa.result.OZON_ROCKET : null;
	}

	/** The component's data is the truth after each refresh; the radio button until the first one. */
	function checkedDeliveryId() {
		var soa = component();
		var list = soa && soa.result && soa.result.DELIVERY ? soa.result.DELIVERY : [];
		for (var key in list) {
			if (Object.prototype.hasOwnProperty.call(list, key) && list[key] && list[key].CHECKED === 'Y') {
				return String(list[key].ID);
			}
		}
		var radio = document.querySelector('input[name="DELIVERY_ID"]:checked');
		return radio && radio.value ? String(radio.value) : null;
	}

	function pickupProperty(code) {
		var soa = component();
		var props = soa && soa.result && soa.result.ORDER_PROP ? soa.result.ORDER_PROP.properties : [];
		for (var i = 0; props && i < props.length; i++) {
			if (props[i] && props[i].CODE === code) {
				return props[i];
			}
		}
		return null;
	}

	function form() {
		return document.getElementById('bx-soa-order-form') || document.querySelector('form[name="ORDER_FORM"]');
	}

	/** The input sale.order.ajax posts for the property; made hidden when the template shows none. */
	function propertyInput(property) {
		var name = 'ORDER_PROP_' + property.ID;
		var orderForm = form();
		if (!orderForm) {
			return null;
		}
		var input = orderForm.querySelector('[name="' + name + '"]');
		if (!input) {
			input = document.createElement('input');
			input.type = 'hidden';
			input.name = name;
			orderForm.appendChild(input);
		}
		return input;
	}

	function remembered() {
		try {
			return JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || 'null');
		} catch (e) {
			return null;
		}
	}

	function remember(point) {
		try {
			window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify({
				id: point.id, name: point.name || '', address: point.address || ''
			}));
		} catch (e) { /* private mode: the label falls back to the id */ }
	}

	function allowedOrigin(origin) {
		var cfg = config();
		if (!cfg) {
			return false;
		}
		for (var id in cfg.deliveries) {
			if (Object.prototype.hasOwnProperty.call(cfg.deliveries, id) && cfg.deliveries[id].origin === origin) {
				return true;
			}
		}
		return false;
	}

	function closeWidget() {
		var overlay = document.getElementById(OVERLAY_ID);
		if (overlay && overlay.parentNode) {
			overlay.parentNode.removeChild(overlay);
		}
		if (typeof document.removeEventListener === 'function') {
			document.removeEventListener('keydown', closeOnEscape);
		}
	}

	function closeOnEscape(event) {
		if (event.key === 'Escape') {
			closeWidget();
		}
	}

	function openWidget(delivery) {
		var cfg = config();
		closeWidget();
		var url = delivery.widgetUrl
			+ '&city=' + encodeURIComponent(cfg.city || '')
			+ (cfg.weight ? '&weight=' + encodeURIComponent(cfg.weight) : '')
			+ '&origin=' + encodeURIComponent(window.location.origin);

		var overlay = document.createElement('div');
		overlay.id = OVERLAY_ID;
		overlay.setAttribute('role', 'dialog');
		overlay.setAttribute('aria-label', cfg.messages.title);
		overlay.style.cssText = 'position:fixed;inset:0;z-index:10000;background:rgba(0,0,0,.5);'
			+ 'display:flex;align-items:center;justify-content:center;';
		var box = document.createElement('div');
		box.style.cssText = 'position:relative;width:min(960px,96vw);height:min(720px,92vh);background:#fff;border-radius:8px;overflow:hidden;';
		var close = document.createElement('button');
		close.type = 'button';
		close.textContent = '\u00d7';
		close.title = cfg.messages.close;
		close.setAttribute('aria-label', cfg.messages.close);
		close.style.cssText = 'position:absolute;top:4px;right:8px;z-index:1;font-size:28px;line-height:1;border:0;background:none;cursor:pointer;';
		close.onclick = closeWidget;
		var frame = document.createElement('iframe');
		frame.className = 'ozon-rocket-pvz-frame';
		frame.src = url;
		frame.title = cfg.messages.title;
		frame.style.cssText = 'width:100%;height:100%;border:0;';
		box.appendChild(close);
		box.appendChild(frame);
		overlay.appendChild(box);
		overlay.onclick = function (event) {
			if (event.target === overlay) {
				closeWidget();
			}
		};
		document.body.appendChild(overlay);
		if (typeof document.addEventListener === 'function') {
			document.addEventListener('keydown', closeOnEscape);
		}
	}

	/** The buyer chose a point: into the order property, then a recalculation. */
	function choose(point) {
		var cfg = config();
		if (!cfg || !point || typeof point.id !== 'string' || point.id === '' || point.id.length > 64) {
			return;
		}
		var property = pickupProperty(cfg.propertyCode);
		var input = property ? propertyInput(property) : null;
		if (!input) {
			return;
		}
		input.value = point.id;
		// Template code that watches the field (validation, custom labels) sees the change too.
		if (typeof input.dispatchEvent === 'function' && typeof window.Event === 'function') {
			input.dispatchEvent(new window.Event('change', {bubbles: true}));
		}
		remember(point);
		closeWidget();
		if (window.BX && typeof window.BX.onCustomEvent === 'function') {
			window.BX.onCustomEvent(SELECTED_EVENT, [point]);
		}
		var soa = component();
		if (soa && typeof soa.sendRequest === 'function') {
			soa.sendRequest();
		}
	}

	function render() {
		var cfg = config();
		var existing = document.getElementById(BLOCK_ID);
		var deliveryId = checkedDeliveryId();
		var delivery = cfg && deliveryId ? cfg.deliveries[deliveryId] : null;
		if (!delivery) {
			if (existing && existing.parentNode) {
				existing.parentNode.removeChild(existing);
			}
			return;
		}
		var property = pickupProperty(cfg.propertyCode);
		var current = property && property.VALUE ? String([].concat(property.VALUE)[0] || '') : '';
		var saved = remembered();
		var label = current && saved && saved.id === current
			? [saved.name, saved.address].filter(Boolean).join(', ')
			: current;

		var block = existing || document.createElement('div');
		block.id = BLOCK_ID;
		block.className = 'bx-soa-pp-company-block';
		block.innerHTML = '';
		if (current) {
			var chosen = document.createElement('div');
			chosen.textContent = cfg.messages.chosen + ' ' + label;
			block.appendChild(chosen);
		}
		var button = document.createElement('button');
		button.type = 'button';
		button.className = 'ozon-rocket-pvz-button btn btn-default';
		button.textContent = current ? cfg.messages.change : cfg.messages.choose;
		button.onclick = function () { openWidget(delivery); };
		block.appendChild(button);

		if (!existing) {
			var anchor = document.getElementById('bx-soa-delivery') || form();
			var body = anchor ? (anchor.querySelector('.bx-soa-section-content') || anchor) : null;
			if (body) {
				body.appendChild(block);
			}
		}
		// The property's own text field is replaced by the button.
		if (property) {
			var row = document.querySelector('[data-property-id-row="' + property.ID + '"]');
			if (row) {
				row.style.display = 'none';
			}
		}
	}

	window.addEventListener('message', function (event) {
		if (!allowedOrigin(event.origin)) {
			return;
		}
		var data = event.data;
		if (typeof data === 'string') {
			try {
				data = JSON.parse(data);
			} catch (e) {
				return;
			}
		}
		if (data && data.type === MESSAGE_TYPE) {
			choose(data.point);
		}
	});

	window.OzonRocketWidget = window.OzonRocketWidget || {};
	if (typeof window.OzonRocketWidget.onSelect !== 'function') {
		window.OzonRocketWidget.onSelect = choose;
	}
	window.OzonRocketCheckout = {choose: choose, render: render};

	if (window.BX && typeof window.BX.ready === 'function') {
		window.BX.ready(render);
	} else if (document.readyState === 'loading' && typeof document.addEventListener === 'function') {
		document.addEventListener('DOMContentLoaded', render);
	} else {
		render();
	}
	// sale.order.ajax rebuilds its blocks after every refresh: put the button back.
	if (window.BX && typeof window.BX.addCustomEvent === 'function') {
		window.BX.addCustomEvent('onAjaxSuccess', function () { window.setTimeout(render, 0); });
	}
})(window, document);
