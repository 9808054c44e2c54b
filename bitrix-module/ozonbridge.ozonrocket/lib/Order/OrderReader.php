<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Order;

use Bitrix\Sale\BasketItem;
use Bitrix\Sale\Order;
use Bitrix\Sale\Shipment;
use OzonBridge\OzonRocket\Options;

/** Reads a Bitrix shipment (at checkout or after) into an OrderSnapshot. */
final class OrderReader
{
    /** Property codes shops commonly use for a split address; the whole line is ADDRESS. */
    private const STREET_CODES = ['STREET'];
    private const HOUSE_CODES = ['HOUSE', 'BUILDING'];
    private const APARTMENT_CODES = ['APARTMENT', 'FLAT'];
    private const ZIP_CODES = ['ZIP', 'INDEX'];
    private const NAME_CODES = ['FIO', 'NAME', 'CONTACT_PERSON'];

    /** @var \Closure(string): string */
    private readonly \Closure $cityByLocation;

    /**
     * @param (callable(string): string)|null $cityByLocation location code → city name
     */
    public function __construct(private readonly Options $options, ?callable $cityByLocation = null)
    {
        $this->cityByLocation = $cityByLocation !== null
            ? \Closure::fromCallable($cityByLocation)
            : static fn (string $code): string => LocationCityResolver::cityName($code);
    }

    public function read(Shipment $shipment): OrderSnapshot
    {
        /** @var Order $order */
        $order = $shipment->getCollection()->getOrder();
        $properties = $order->getPropertyCollection();
        $value = static function (string $code) use ($properties): string {
            $property = $properties->getItemByOrderPropertyCode($code);

            return $property !== null ? self::text($property->getValue()) : '';
        };
        $firstOf = static function (array $codes) use ($value): string {
            foreach ($codes as $code) {
                $found = $value($code);
                if ($found !== '') {
                    return $found;
                }
            }

            return '';
        };
        $special = static function (?object $property): string {
            return $property !== null ? self::text($property->getValue()) : '';
        };

        $city = $this->options->cityPropertyCode !== '' ? $value($this->options->cityPropertyCode) : '';
        if ($city === '') {
            $location = $special($properties->getDeliveryLocation());
            $city = $location !== '' ? ($this->cityByLocation)($location) : '';
        }
        $street = $firstOf(self::STREET_CODES);
        $addressLine = $special($properties->getAddress());
        $zip = $special($properties->getDeliveryLocationZip());

        return new OrderSnapshot(
            orderId: (int) $order->getId(),
            shipmentId: (int) $shipment->getId(),
            deliveryId: (int) $shipment->getDeliveryId(),
            currency: (string) ($shipment->getCurrency() ?: $order->getCurrency()),
            weightGrams: (float) $shipment->getWeight(),
            lines: $this->lines($shipment, $order),
            address: new Address(
                city: $city,
                street: $street !== '' ? $street : $addressLine,
                house: $firstOf(self::HOUSE_CODES),
                apartment: $firstOf(self::APARTMENT_CODES),
                zip: $zip !== '' ? $zip : $firstOf(self::ZIP_CODES),
            ),
            pickupPointId: $value($this->options->pickupPropertyCode),
            recipientName: $special($properties->getPayerName()) ?: $firstOf(self::NAME_CODES),
            phone: $special($properties->getPhone()),
            email: $special($properties->getUserEmail()),
            paymentMethod: $this->paymentMethod($order),
            paidKopecks: (int) round(((float) $order->getPaymentCollection()->getPaidSum()) * 100),
            deliveryPriceKopecks: (int) round(((float) $shipment->getPrice()) * 100),
        );
    }

    /** @return list<ItemLine> */
    private function lines(Shipment $shipment, Order $order): array
    {
        $lines = [];
        foreach ($shipment->getShipmentItemCollection() as $shipmentItem) {
            $basketItem = $shipmentItem->getBasketItem();
            if ($basketItem === null || $basketItem->isBundleChild()) {
                continue;
            }
            $lines[] = self::line($basketItem, (float) $shipmentItem->getQuantity());
        }
        if ($lines === []) {
            // At checkout some shops calculate before the shipment holds the basket.
            foreach ($order->getBasket() as $basketItem) {
                if (!$basketItem->isBundleChild() && $basketItem->canBuy()) {
                    $lines[] = self::line($basketItem, (float) $basketItem->getQuantity());
                }
            }
        }

        return $lines;
    }

    private static function line(BasketItem $item, float $quantity): ItemLine
    {
        $xmlId = trim((string) $item->getField('PRODUCT_XML_ID'));
        $productId = (int) $item->getProductId();

        return new ItemLine(
            basketId: (int) $item->getId(),
            productId: $productId,
            sku: mb_substr($xmlId !== '' ? $xmlId : (string) ($productId ?: $item->getId()), 0, 100),
            name: mb_substr(trim((string) $item->getField('NAME')), 0, 500),
            quantity: $quantity,
            priceKopecks: (int) round(((float) $item->getPrice()) * 100),
            unitWeightGrams: max(0.0, (float) $item->getWeight()),
            dimensions: self::dimensions($item->getField('DIMENSIONS')),
        );
    }

    /** @return array{length: float, width: float, height: float}|null */
    private static function dimensions(mixed $raw): ?array
    {
        if (is_string($raw) && $raw !== '') {
            $raw = @unserialize($raw, ['allowed_classes' => false]);
        }
        if (!is_array($raw)) {
            return null;
        }
        $sides = [];
        foreach (['LENGTH', 'WIDTH', 'HEIGHT'] as $key) {
            $side = (float) str_replace(',', '.', (string) ($raw[$key] ?? 0));
            if ($side <= 0) {
                return null;
            }
            $sides[] = $side;
        }

        return ['length' => $sides[0], 'width' => $sides[1], 'height' => $sides[2]];
    }

    private function paymentMethod(Order $order): string
    {
        foreach ($order->getPaymentCollection() as $payment) {
            if (!$payment->isPaid() && $this->options->isCashOnDelivery((int) $payment->getPaymentSystemId())) {
                return 'cash_on_delivery';
            }
        }

        return 'prepaid';
    }

    private static function text(mixed $value): string
    {
        if (is_array($value)) {
            $value = implode(', ', array_filter(array_map('strval', $value), static fn (string $v): bool => $v !== ''));
        }

        return trim((string) $value);
    }
}
