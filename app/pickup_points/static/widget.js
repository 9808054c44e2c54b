/*
 * Ozon Rocket pickup-point widget: find a city, see its points nearest first (list and map),
 * filter, choose one. The choice goes to the embedding checkout as
 *   {"type": "ozon-rocket:pickup-point-selected", "point": {...}}
 * through window.parent.postMessage (and window.opener's, for a pop-up), and to
 * window.OzonRocketWidget.onSelect(point) where a window we may script defines it.
 * Without Leaflet (or without tiles) the list alone does the job.
 */
(function () {
  "use strict";

  var MESSAGE_TYPE = "ozon-rocket:pickup-point-selected";
  var CITY_RADIUS_KM = 100;
  var NEAR_RADIUS_KM = 10;
  var PAGE_SIZE = 100;

  var config = JSON.parse(document.getElementById("orw-config").textContent);
  var initial = config.initial || {};
  var els = {
    root: document.getElementById("orw"),
    form: document.getElementById("orw-search"),
    city: document.getElementById("orw-city"),
    cities: document.getElementById("orw-cities"),
    nearMe: document.getElementById("orw-near-me"),
    type: document.getElementById("orw-type"),
    cod: document.getElementById("orw-cod"),
    card: document.getElementById("orw-card"),
    status: document.getElementById("orw-status"),
    list: document.getElementById("orw-list"),
    map: document.getElementById("orw-map")
  };
  var state = { city: null, center: null, radius: CITY_RADIUS_KM, points: [], selectedId: null };
  var map = null;
  var markers = {};
  var markerLayer = null;
  var requestSeq = 0;

  // --- talking to the bridge ---

  function query(params) {
    var parts = [];
    Object.keys(params).forEach(function (key) {
      var value = params[key];
      if (value !== null && value !== undefined && value !== "") {
        parts.push(encodeURIComponent(key) + "=" + encodeURIComponent(String(value)));
      }
    });
    return parts.join("&");
  }

  function getJson(url, params) {
    return fetch(url + "?" + query(params), { headers: { Accept: "application/json" } }).then(
      function (response) {
        return response.json().then(function (body) {
          if (!response.ok) {
            throw new Error((body && body.detail) || "HTTP " + response.status);
          }
          return body;
        });
      }
    );
  }

  function searchParams() {
    return {
      city: state.city,
      lat: state.center ? state.center.lat : null,
      lon: state.center ? state.center.lon : null,
      radius_km: state.center ? state.radius : null,
      type: els.type.value || null,
      cash_on_delivery: els.cod.checked ? "true" : null,
      card_payment: els.card.checked ? "true" : null,
      weight: initial.weight,
      length: initial.length,
      width: initial.width,
      height: initial.height,
      limit: PAGE_SIZE
    };
  }

  // --- what the page shows ---

  function setStatus(text, isError) {
    els.status.textContent = text;
    els.status.classList.toggle("orw-error", Boolean(isError));
  }

  function formatDistance(km) {
    if (km === undefined || km === null) {
      return "";
    }
    if (km < 1) {
      return Math.round(km * 1000) + " м";
    }
    return km.toFixed(1).replace(".", ",") + " км";
  }

  function plural(n, one, few, many) {
    var mod10 = n % 10;
    var mod100 = n % 100;
    if (mod10 === 1 && mod100 !== 11) {
      return one;
    }
    if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) {
      return few;
    }
    return many;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function pointItem(point) {
    var item = element("li", "orw-point");
    item.dataset.pointId = point.id;
    if (point.distance_km !== undefined) {
      item.dataset.distanceKm = String(point.distance_km);
    }
    var head = element("div", "orw-point-head");
    head.appendChild(element("span", "orw-point-name", point.name));
    head.appendChild(element("span", "orw-point-distance", formatDistance(point.distance_km)));
    item.appendChild(head);
    item.appendChild(element("div", "orw-point-address", point.address));
    if (point.working_hours) {
      item.appendChild(element("div", "orw-point-hours", point.working_hours));
    }
    var pay = element("div", "orw-point-pay");
    pay.appendChild(element("span", "orw-badge", point.type === "locker" ? "Постамат" : "ПВЗ"));
    if (point.cash_on_delivery) {
      pay.appendChild(element("span", "orw-badge orw-badge-cod", "Оплата при получении"));
    }
    if (point.card_payment) {
      pay.appendChild(element("span", "orw-badge orw-badge-card", "Картой"));
    }
    if (point.partial_acceptance) {
      pay.appendChild(element("span", "orw-badge", "Частичный выкуп"));
    }
    item.appendChild(pay);
    var choose = element("button", "orw-point-choose", "Выбрать");
    choose.type = "button";
    choose.addEventListener("click", function (event) {
      event.stopPropagation();
      choosePoint(point);
    });
    item.appendChild(choose);
    item.addEventListener("click", function () {
      focusPoint(point.id, true);
    });
    return item;
  }

  function renderList(result) {
    els.list.textContent = "";
    result.points.forEach(function (point) {
      els.list.appendChild(pointItem(point));
    });
    var shown = result.points.length;
    if (!result.total) {
      setStatus("Пунктов выдачи не нашлось: измените фильтры или город.");
    } else if (shown < result.total) {
      setStatus(
        "Найдено " + result.total + " " + plural(result.total, "пункт", "пункта", "пунктов") +
          ", показаны ближайшие " + shown + "."
      );
    } else {
      setStatus("Найдено " + result.total + " " + plural(result.total, "пункт", "пункта", "пунктов") + ".");
    }
    markSelected();
  }

  function markSelected() {
    Array.prototype.forEach.call(els.list.children, function (item) {
      item.classList.toggle("orw-selected", item.dataset.pointId === state.selectedId);
    });
  }

  function focusPoint(id, fromList) {
    Array.prototype.forEach.call(els.list.children, function (item) {
      var active = item.dataset.pointId === id;
      item.classList.toggle("orw-active", active);
      if (active && !fromList && item.scrollIntoView) {
        item.scrollIntoView({ block: "nearest" });
      }
    });
    if (map && markers[id]) {
      markers[id].openPopup();
      if (fromList) {
        map.panTo(markers[id].getLatLng());
      }
    }
  }

  // --- the map (only when Leaflet was installed) ---

  function setUpMap() {
    if (!config.map || typeof window.L === "undefined") {
      els.map.classList.add("orw-map-off");
      els.root.classList.add("orw-nomap");
      return;
    }
    try {
      map = window.L.map(els.map, { zoomControl: true, attributionControl: true });
      map.setView([55.7558, 37.6173], 10);
      window.L.tileLayer(config.tileUrl, {
        maxZoom: 19,
        attribution: config.tileAttribution
      }).addTo(map);
      markerLayer = window.L.layerGroup().addTo(map);
    } catch (error) {
      map = null;
      els.map.classList.add("orw-map-off");
      els.root.classList.add("orw-nomap");
    }
  }

  function popupContent(point) {
    var box = element("div", "orw-popup");
    box.appendChild(element("strong", null, point.name));
    box.appendChild(element("div", null, point.address));
    if (point.working_hours) {
      box.appendChild(element("div", null, point.working_hours));
    }
    var choose = element("button", "orw-point-choose", "Выбрать");
    choose.type = "button";
    choose.addEventListener("click", function () {
      choosePoint(point);
    });
    box.appendChild(choose);
    return box;
  }

  function renderMap(points) {
    if (!map) {
      return;
    }
    markerLayer.clearLayers();
    markers = {};
    var bounds = [];
    points.forEach(function (point) {
      var marker = window.L.circleMarker([point.lat, point.lon], {
        radius: 7,
        weight: 2,
        color: point.type === "locker" ? "#7b2cbf" : "#005bff",
        fillOpacity: 0.8
      });
      marker.bindPopup(popupContent(point));
      marker.on("click", function () {
        focusPoint(point.id, false);
      });
      marker.addTo(markerLayer);
      markers[point.id] = marker;
      bounds.push([point.lat, point.lon]);
    });
    if (bounds.length) {
      map.fitBounds(bounds.slice(0, 30), { padding: [24, 24], maxZoom: 15 });
    }
  }

  // --- searching ---

  function load() {
    var seq = ++requestSeq;
    setStatus("Ищем пункты выдачи…");
    els.list.setAttribute("aria-busy", "true");
    return getJson(config.searchUrl, searchParams())
      .then(function (result) {
        if (seq !== requestSeq) {
          return;
        }
        state.points = result.points;
        renderList(result);
        renderMap(result.points);
      })
      .catch(function (error) {
        if (seq === requestSeq) {
          setStatus("Не удалось загрузить пункты: " + error.message, true);
        }
      })
      .then(function () {
        if (seq === requestSeq) {
          // Searches answered so far: lets an embedding page (or a test) wait for a result.
          els.list.setAttribute("aria-busy", "false");
          els.root.dataset.searches = String(seq);
        }
      });
  }

  function findCity(text) {
    return getJson(config.citiesUrl, { q: text, limit: 1 }).then(function (answer) {
      return answer.cities.length ? answer.cities[0] : null;
    });
  }

  function searchCity(text) {
    text = (text || "").trim();
    if (!text) {
      return Promise.resolve();
    }
    setStatus("Ищем город…");
    return findCity(text)
      .then(function (city) {
        if (!city) {
          els.list.textContent = "";
          setStatus("Город «" + text + "» не найден среди городов с пунктами выдачи.", true);
          return;
        }
        els.city.value = city.city;
        state.city = city.city;
        // Nearest first from the middle of the city's points, until the buyer gives a place.
        state.center = { lat: city.lat, lon: city.lon };
        state.radius = CITY_RADIUS_KM;
        return load();
      })
      .catch(function (error) {
        setStatus("Не удалось найти город: " + error.message, true);
      });
  }

  function searchNearMe() {
    if (!navigator.geolocation) {
      setStatus("Браузер не сообщает местоположение: введите город.", true);
      return;
    }
    navigator.geolocation.getCurrentPosition(
      function (position) {
        state.city = null;
        state.center = { lat: position.coords.latitude, lon: position.coords.longitude };
        state.radius = NEAR_RADIUS_KM;
        load();
      },
      function () {
        setStatus("Местоположение недоступно: введите город.", true);
      },
      { timeout: 10000 }
    );
  }

  var suggestTimer = null;
  function suggestCities() {
    var text = els.city.value.trim();
    window.clearTimeout(suggestTimer);
    if (text.length < 2) {
      return;
    }
    suggestTimer = window.setTimeout(function () {
      getJson(config.citiesUrl, { q: text, limit: 8 })
        .then(function (answer) {
          els.cities.textContent = "";
          answer.cities.forEach(function (city) {
            var option = document.createElement("option");
            option.value = city.city;
            els.cities.appendChild(option);
          });
        })
        .catch(function () {
          /* suggestions are a convenience; the search itself reports errors */
        });
    }, 200);
  }

  // --- the choice ---

  function selectionMessage(point) {
    return {
      type: MESSAGE_TYPE,
      point: {
        id: point.id,
        type: point.type,
        name: point.name,
        address: point.address,
        city: point.city,
        lat: point.lat,
        lon: point.lon,
        cash_on_delivery: point.cash_on_delivery,
        card_payment: point.card_payment
      }
    };
  }

  function callbackOf(win) {
    try {
      var api = win.OzonRocketWidget;
      return api && typeof api.onSelect === "function" ? api : null;
    } catch (error) {
      return null; // another origin's window: postMessage is the way there
    }
  }

  function choosePoint(point) {
    state.selectedId = point.id;
    markSelected();
    var message = selectionMessage(point);
    var targets = [];
    if (window.parent && window.parent !== window) {
      targets.push(window.parent);
    }
    if (window.opener && !window.opener.closed) {
      targets.push(window.opener);
    }
    targets.forEach(function (target) {
      target.postMessage(message, config.targetOrigin);
    });
    var seen = [];
    [window].concat(targets).forEach(function (win) {
      var api = callbackOf(win);
      if (api && seen.indexOf(api) < 0) {
        seen.push(api);
        api.onSelect(message.point);
      }
    });
    setStatus("Выбран пункт: " + point.name + ", " + point.address + ".");
  }

  // --- wiring ---

  els.form.addEventListener("submit", function (event) {
    event.preventDefault();
    searchCity(els.city.value);
  });
  els.city.addEventListener("input", suggestCities);
  els.nearMe.addEventListener("click", searchNearMe);
  [els.type, els.cod, els.card].forEach(function (control) {
    control.addEventListener("change", function () {
      if (state.city || state.center) {
        load();
      }
    });
  });
  if (initial.type) {
    els.type.value = initial.type;
  }
  if (initial.cash_on_delivery) {
    els.cod.checked = true;
  }
  setUpMap();
  if (initial.city) {
    els.city.value = initial.city;
    searchCity(initial.city);
  }

  window.OzonRocketWidgetPage = { searchCity: searchCity, choosePoint: choosePoint };
})();
