/*
 * Ozon Rocket pickup points in Bitrix's sale.order.ajax checkout.
 *
 *   <script src="https://BRIDGE/widget/static/bitrix-checkout.js"></script>
 *   <script>
 *     OzonRocketCheckout.init({
 *       bridgeUrl: "https://BRIDGE",   // where the bridge is served
 *       propertyCode: "OZON_PVZ",       // the order property that keeps the point id
 *       shopId: "...",                  // optional, passed to the widget
 *       deliveryIds: [12],              // optional: show the button only for these services
 *       weight: 1200                    // optional parcel weight (grams) for the widget's filter
 *     });
 *   </script>
 *
 * A button next to the property opens the widget in a modal frame. The widget posts
 * {"type": "ozon-rocket:pickup-point-selected", "point": {...}}; this script checks the sender's
 * origin, writes point.id into the property and asks sale.order.ajax to recalculate delivery
 * (BX.Sale.OrderAjaxComponent.sendRequest), so the Ozon handler prices the chosen point.
 */
(function (window, document) {
  "use strict";

  var MESSAGE_TYPE = "ozon-rocket:pickup-point-selected";
  var BUTTON_CLASS = "ozon-rocket-pvz-button";
  var LABEL_CLASS = "ozon-rocket-pvz-label";

  var options = null;
  var modal = null;
  var chosen = null;

  function component() {
    var sale = window.BX && window.BX.Sale;
    return sale && sale.OrderAjaxComponent ? sale.OrderAjaxComponent : null;
  }

  function bridgeOrigin() {
    var link = document.createElement("a");
    link.href = options.bridgeUrl;
    return link.protocol + "//" + link.host;
  }

  // sale.order.ajax names property inputs ORDER_PROP_<ID>; the ID of our CODE is in its result.
  function propertyId() {
    var oac = component();
    var props = oac && oac.result && oac.result.ORDER_PROP && oac.result.ORDER_PROP.properties;
    if (!props) {
      return null;
    }
    for (var i = 0; i < props.length; i++) {
      if (props[i].CODE === options.propertyCode) {
        return props[i].ID;
      }
    }
    return null;
  }

  function propertyInput() {
    if (options.propertyInput) {
      return document.querySelector(options.propertyInput);
    }
    var id = propertyId();
    return id === null ? null : document.querySelector('[name="ORDER_PROP_' + id + '"]');
  }

  function selectedDeliveryId() {
    var checked = document.querySelector('input[name="DELIVERY_ID"]:checked');
    if (checked) {
      return Number(checked.value);
    }
    var oac = component();
    var list = oac && oac.result && oac.result.DELIVERY;
    if (list) {
      for (var i = 0; i < list.length; i++) {
        if (list[i].CHECKED === "Y") {
          return Number(list[i].ID);
        }
      }
    }
    return null;
  }

  function widgetUrl() {
    var params = { origin: window.location.origin };
    if (options.shopId) {
      params.shop_id = options.shopId;
    }
    var city = typeof options.city === "function" ? options.city() : options.city;
    if (city) {
      params.city = city;
    }
    if (options.weight) {
      params.weight = options.weight;
    }
    var query = Object.keys(params)
      .map(function (key) {
        return encodeURIComponent(key) + "=" + encodeURIComponent(String(params[key]));
      })
      .join("&");
    return options.bridgeUrl.replace(/\/+$/, "") + "/widget/pickup-points?" + query;
  }

  function open() {
    close();
    modal = document.createElement("div");
    modal.className = "ozon-rocket-pvz-modal";
    modal.setAttribute(
      "style",
      "position:fixed;inset:0;z-index:10000;background:rgba(0,0,0,.45);" +
        "display:flex;align-items:center;justify-content:center"
    );
    var box = document.createElement("div");
    box.setAttribute(
      "style",
      "display:flex;flex-direction:column;width:min(960px,96vw);height:min(680px,92vh);" +
        "background:#fff;border-radius:8px;overflow:hidden"
    );
    var header = document.createElement("div");
    header.setAttribute(
      "style",
      "display:flex;align-items:center;justify-content:space-between;padding:6px 12px;" +
        "border-bottom:1px solid #e5e5ea;font:600 15px/1.4 sans-serif"
    );
    header.appendChild(document.createTextNode("Пункт выдачи Ozon Rocket"));
    var closeButton = document.createElement("button");
    closeButton.type = "button";
    closeButton.textContent = "×";
    closeButton.setAttribute("aria-label", "Закрыть");
    closeButton.setAttribute(
      "style",
      "border:0;background:none;font-size:24px;line-height:1;cursor:pointer;padding:0 4px"
    );
    closeButton.addEventListener("click", close);
    header.appendChild(closeButton);
    var frame = document.createElement("iframe");
    frame.className = "ozon-rocket-pvz-frame";
    frame.src = widgetUrl();
    frame.title = "Выбор пункта выдачи Ozon Rocket";
    frame.setAttribute("style", "flex:1;width:100%;border:0");
    box.appendChild(header);
    box.appendChild(frame);
    modal.appendChild(box);
    modal.addEventListener("click", function (event) {
      if (event.target === modal) {
        close();
      }
    });
    document.body.appendChild(modal);
  }

  function close() {
    if (modal && modal.parentNode) {
      modal.parentNode.removeChild(modal);
    }
    modal = null;
  }

  function recalculate() {
    var oac = component();
    if (oac && typeof oac.sendRequest === "function") {
      oac.sendRequest(); // 'refreshOrderAjax': delivery prices are calculated again
    }
  }

  function onMessage(event) {
    var data = event.data;
    if (!data || data.type !== MESSAGE_TYPE || !data.point) {
      return;
    }
    if (event.origin !== bridgeOrigin()) {
      return; // only the bridge's widget may set the point
    }
    chosen = data.point;
    var input = propertyInput();
    if (input) {
      input.value = chosen.id;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    close();
    render();
    if (typeof options.onSelect === "function") {
      options.onSelect(chosen);
    }
    recalculate();
  }

  // sale.order.ajax re-renders its blocks after each recalculation: put the button back.
  function render() {
    var input = propertyInput();
    if (!input) {
      return;
    }
    var ids = options.deliveryIds;
    var wanted = !ids || !ids.length || ids.indexOf(selectedDeliveryId()) >= 0;
    var holder = input.parentNode;
    var button = holder.querySelector("." + BUTTON_CLASS);
    var label = holder.querySelector("." + LABEL_CLASS);
    if (!wanted) {
      if (button) {
        holder.removeChild(button);
      }
      if (label) {
        holder.removeChild(label);
      }
      return;
    }
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = BUTTON_CLASS + " btn btn-default";
      button.textContent = options.buttonText;
      button.addEventListener("click", open);
      holder.appendChild(button);
    }
    if (!label) {
      label = document.createElement("div");
      label.className = LABEL_CLASS;
      holder.appendChild(label);
    }
    label.textContent = chosen
      ? chosen.name + ", " + chosen.address
      : input.value
        ? "Пункт выдачи: " + input.value
        : "";
  }

  function init(userOptions) {
    options = {
      bridgeUrl: "",
      propertyCode: "OZON_PVZ",
      propertyInput: null,
      shopId: null,
      deliveryIds: null,
      city: null,
      weight: null,
      buttonText: "Выбрать пункт выдачи",
      onSelect: null
    };
    Object.keys(userOptions || {}).forEach(function (key) {
      options[key] = userOptions[key];
    });
    if (!options.bridgeUrl) {
      throw new Error("OzonRocketCheckout.init: bridgeUrl is required");
    }
    window.addEventListener("message", onMessage);
    if (window.BX && typeof window.BX.addCustomEvent === "function") {
      window.BX.addCustomEvent("onAjaxSuccess", render);
    }
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", render);
    } else {
      render();
    }
  }

  window.OzonRocketCheckout = { init: init, open: open, close: close, render: render };
})(window, document);
