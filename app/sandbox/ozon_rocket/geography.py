"""Cities, warehouses and distances of the emulated network (real Russian cities, rounded)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class City:
    name: str
    region_code: int  # the vehicle-plate region code, as in pickup point ids (77 = Moscow)
    lat: float
    lon: float
    population: int  # thousands; drives how many pickup points the city gets


@dataclass(frozen=True, slots=True)
class Warehouse:
    id: str
    name: str
    city: str


CITIES: tuple[City, ...] = (
    City("Москва", 77, 55.7558, 37.6173, 13100),
    City("Санкт-Петербург", 78, 59.9386, 30.3141, 5600),
    City("Новосибирск", 54, 55.0084, 82.9357, 1630),
    City("Екатеринбург", 66, 56.8389, 60.6057, 1540),
    City("Казань", 16, 55.7963, 49.1088, 1320),
    City("Нижний Новгород", 52, 56.3269, 44.0059, 1210),
    City("Красноярск", 24, 56.0153, 92.8932, 1200),
    City("Челябинск", 74, 55.1644, 61.4368, 1180),
    City("Самара", 63, 53.1959, 50.1002, 1160),
    City("Уфа", 2, 54.7388, 55.9721, 1160),
    City("Ростов-на-Дону", 61, 47.2357, 39.7015, 1140),
    City("Омск", 55, 54.9885, 73.3242, 1110),
    City("Краснодар", 23, 45.0355, 38.9753, 1100),
    City("Воронеж", 36, 51.6720, 39.1843, 1050),
    City("Пермь", 59, 58.0105, 56.2502, 1030),
    City("Волгоград", 34, 48.7080, 44.5133, 1020),
    City("Саратов", 64, 51.5336, 46.0343, 900),
    City("Тюмень", 72, 57.1530, 65.5343, 850),
    City("Тольятти", 63, 53.5303, 49.3461, 680),
    City("Барнаул", 22, 53.3548, 83.7698, 630),
    City("Ижевск", 18, 56.8526, 53.2045, 630),
    City("Махачкала", 5, 42.9849, 47.5047, 620),
    City("Хабаровск", 27, 48.4802, 135.0719, 610),
    City("Ульяновск", 73, 54.3142, 48.4031, 610),
    City("Иркутск", 38, 52.2870, 104.3050, 610),
    City("Владивосток", 25, 43.1155, 131.8855, 600),
    City("Ярославль", 76, 57.6261, 39.8845, 570),
    City("Томск", 70, 56.4846, 84.9476, 570),
    City("Оренбург", 56, 51.7682, 55.0969, 550),
    City("Набережные Челны", 16, 55.7436, 52.3958, 550),
    City("Кемерово", 42, 55.3547, 86.0873, 540),
    City("Новокузнецк", 42, 53.7557, 87.1099, 540),
    City("Балашиха", 50, 55.7964, 37.9382, 520),
    City("Рязань", 62, 54.6296, 39.7417, 520),
    City("Пенза", 58, 53.1950, 45.0183, 500),
    City("Липецк", 48, 52.6031, 39.5708, 500),
    City("Чебоксары", 21, 56.1439, 47.2489, 490),
    City("Калининград", 39, 54.7104, 20.4522, 490),
    City("Астрахань", 30, 46.3497, 48.0408, 470),
    City("Киров", 43, 58.6036, 49.6680, 470),
    City("Тула", 71, 54.1931, 37.6177, 470),
    City("Ставрополь", 26, 45.0448, 41.9691, 450),
    City("Курск", 46, 51.7373, 36.1873, 440),
    City("Сочи", 23, 43.5855, 39.7231, 440),
    City("Улан-Удэ", 3, 51.8335, 107.5841, 430),
    City("Тверь", 69, 56.8587, 35.9176, 420),
    City("Магнитогорск", 74, 53.4071, 58.9791, 410),
    City("Сургут", 86, 61.2540, 73.3962, 400),
    City("Брянск", 32, 53.2434, 34.3634, 380),
    City("Иваново", 37, 57.0003, 40.9739, 360),
    City("Якутск", 14, 62.0355, 129.6755, 360),
    City("Владимир", 33, 56.1291, 40.4066, 350),
    City("Белгород", 31, 50.5997, 36.5983, 340),
    City("Нижний Тагил", 66, 57.9101, 59.9813, 330),
    City("Калуга", 40, 54.5138, 36.2612, 330),
    City("Чита", 75, 52.0340, 113.4994, 330),
    City("Волжский", 34, 48.7858, 44.7797, 320),
    City("Смоленск", 67, 54.7826, 32.0453, 310),
    City("Орёл", 57, 52.9685, 36.0692, 300),
    City("Саранск", 13, 54.1838, 45.1749, 310),
    City("Череповец", 35, 59.1266, 37.9093, 300),
    City("Архангельск", 29, 64.5393, 40.5170, 300),
    City("Петрозаводск", 10, 61.7849, 34.3469, 280),
    City("Йошкар-Ола", 12, 56.6344, 47.8999, 280),
    City("Мурманск", 51, 68.9707, 33.0749, 270),
    City("Кострома", 44, 57.7677, 40.9264, 270),
    City("Новороссийск", 23, 44.7235, 37.7686, 270),
    City("Королёв", 50, 55.9162, 37.8545, 225),
)

WAREHOUSES: tuple[Warehouse, ...] = (
    Warehouse("WH-1", "Склад Москва (Хоругвино)", "Москва"),
    Warehouse("WH-2", "Склад Санкт-Петербург (Шушары)", "Санкт-Петербург"),
    Warehouse("WH-3", "Склад Казань", "Казань"),
    Warehouse("WH-4", "Склад Екатеринбург", "Екатеринбург"),
    Warehouse("WH-5", "Склад Новосибирск", "Новосибирск"),
    Warehouse("WH-6", "Склад Ростов-на-Дону", "Ростов-на-Дону"),
    Warehouse("WH-7", "Склад Краснодар", "Краснодар"),
)

# Next Day is sold only in these cities (and only from a warehouse close enough, see pricing).
NEXT_DAY_CITIES: frozenset[str] = frozenset(
    {"Москва", "Санкт-Петербург", "Казань", "Нижний Новгород", "Екатеринбург"}
)

_CITY_PREFIX = re.compile(r"^(г\.|г |город )\s*")
_SPACES = re.compile(r"\s+")


def normalize_city(name: str) -> str:
    """Match key for a city name: case, ё/е, extra spaces and a "г." prefix do not matter."""
    key = _SPACES.sub(" ", name.strip().casefold().replace("ё", "е"))
    return _CITY_PREFIX.sub("", key)


_CITY_BY_KEY: dict[str, City] = {normalize_city(city.name): city for city in CITIES}
_WAREHOUSE_BY_ID: dict[str, Warehouse] = {warehouse.id: warehouse for warehouse in WAREHOUSES}


def find_city(name: str) -> City | None:
    return _CITY_BY_KEY.get(normalize_city(name))


def find_warehouse(warehouse_id: str) -> Warehouse | None:
    return _WAREHOUSE_BY_ID.get(warehouse_id)


def warehouse_city(warehouse: Warehouse) -> City:
    city = find_city(warehouse.city)
    if city is None:  # a data error in this module, not a request error
        raise LookupError(f"warehouse {warehouse.id} is in an unknown city {warehouse.city}")
    return city


def distance_km(a: City, b: City) -> float:
    """Great-circle (haversine) distance between two city centres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))
