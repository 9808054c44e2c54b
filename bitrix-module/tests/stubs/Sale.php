<?php

// Stand-ins for the Bitrix "sale" module classes the module touches. Names and method signatures
// follow the current core; behaviour is reduced to what the module relies on:
// - Order::load() returns a fresh copy of what was last saved (like reading the database);
// - Order::save() fires events in Bitrix's order: OnShipmentAllowDelivery while the shipments
//   are saved, then OnSaleOrderSaved, then the delayed OnSaleStatusOrderChange (EventsPool);
//   it applies the user-budget pool (inner-account credits) after the payments, ignoring its
//   result, as OrderBase::save() → Order::saveEntities() does; a refused save writes nothing;
// - a basket line cannot shrink below what non-system shipments hold, and a deducted shipment's
//   goods cannot change (Bitrix refuses both).

declare(strict_types=1);

namespace Bitrix\Sale {
    use Bitrix\Main\Error;
    use Bitrix\Main\Event;

    class Result extends \Bitrix\Main\Result
    {
    }

    /** @internal shared by the stand-ins */
    trait Fields
    {
        protected array $fields = [];

        public function getField($name): mixed
        {
            return $this->fields[$name] ?? null;
        }

        public function setField($name, $value): Result
        {
            $this->fields[$name] = $value;

            return new Result();
        }

        public function getFieldValues(): array
        {
            return $this->fields;
        }

        public function getId(): int
        {
            return (int) ($this->fields['ID'] ?? 0);
        }
    }

    class Order
    {
        use Fields;

        /** @var array<int, string> order id => serialized order, the "database" */
        public static array $db = [];
        /** @var array<int, int> shipment id => order id */
        public static array $shipmentIndex = [];
        /** @var array<int, int> order id => number of successful saves */
        public static array $saves = [];
        /** @var array<int, bool> */
        public static array $locked = [];
        /** @var array<int, string> a save of this order fails with this message */
        public static array $failSave = [];
        public static int $nextId = 1000;

        private Basket $basket;
        private ShipmentCollection $shipments;
        private PaymentCollection $payments;
        private PropertyValueCollection $properties;
        private array $savedFields = [];
        /** @var array<int, string> shipment object id => ALLOW_DELIVERY as saved */
        private array $savedAllowDelivery = [];

        public function __construct(array $fields = [])
        {
            $this->fields = $fields + ['ID' => 0, 'STATUS_ID' => 'N', 'CURRENCY' => 'RUB', 'USER_ID' => 0, 'COMMENTS' => '', 'PRICE' => 0.0];
            $this->basket = new Basket($this);
            $this->shipments = new ShipmentCollection($this);
            $this->payments = new PaymentCollection($this);
            $this->properties = new PropertyValueCollection();
        }

        public static function reset(): void
        {
            self::$db = [];
            self::$shipmentIndex = [];
            self::$saves = [];
            self::$locked = [];
            self::$failSave = [];
        }

        public static function load($id): ?self
        {
            $data = self::$db[(int) $id] ?? null;

            return $data !== null ? unserialize($data) : null;
        }

        public static function isLocked($id): bool
        {
            return !empty(self::$locked[(int) $id]);
        }

        public function getBasket(): Basket
        {
            return $this->basket;
        }

        public function getShipmentCollection(): ShipmentCollection
        {
            return $this->shipments;
        }

        public function getPaymentCollection(): PaymentCollection
        {
            return $this->payments;
        }

        public function getPropertyCollection(): PropertyValueCollection
        {
            return $this->properties;
        }

        public function getPrice(): float
        {
            return (float) $this->fields['PRICE'];
        }

        public function getCurrency(): string
        {
            return (string) $this->fields['CURRENCY'];
        }

        public function getUserId(): int
        {
            return (int) $this->fields['USER_ID'];
        }

        public function save(): Result
        {
            $result = new Result();
            foreach ($this->basket as $item) {
                $held = $this->shipments->heldQuantity($item);
                if ($held > (float) $item->getQuantity() + 1e-9) {
                    $result->addError(new Error(sprintf('Shipments hold %s of basket line %d, the basket %s', $held, $item->getId(), $item->getQuantity())));
                }
            }
            if (isset(self::$failSave[$this->getId()])) {
                $result->addError(new Error(self::$failSave[$this->getId()]));
            }
            if (!$result->isSuccess()) {
                return $result;
            }
            $isNew = $this->getId() === 0;
            if ($isNew) {
                $this->fields['ID'] = ++self::$nextId;
            }
            $this->basket->assignIds();
            $this->shipments->assignIds();
            $this->payments->assignIds();
            // Real saveEntities(): payments, then the user budget, its result not checked.
            Internals\UserBudgetPool::onUserBudgetSave($this->getUserId());
            $price = 0.0;
            foreach ($this->basket as $item) {
                $price += round((float) $item->getPrice() * (float) $item->getQuantity(), 2);
            }
            foreach ($this->shipments as $shipment) {
                $price += (float) $shipment->getField('PRICE_DELIVERY');
            }
            $this->fields['PRICE'] = round($price, 2);

            // Shipment::save() inside saveEntities() fires its allow-delivery event at once.
            foreach ($this->shipments as $shipment) {
                $before = $this->savedAllowDelivery[spl_object_id($shipment)] ?? 'N';
                if ($shipment->getField('ALLOW_DELIVERY') === 'Y' && $before !== 'Y') {
                    (new Event('sale', 'OnShipmentAllowDelivery', ['ENTITY' => $shipment]))->send();
                }
            }

            $savedStatus = $this->savedFields['STATUS_ID'] ?? null;
            $this->savedFields = $this->fields;
            $this->savedAllowDelivery = [];
            foreach ($this->shipments as $shipment) {
                $this->savedAllowDelivery[spl_object_id($shipment)] = (string) $shipment->getField('ALLOW_DELIVERY');
                self::$shipmentIndex[$shipment->getId()] = $this->getId();
            }
            self::$db[$this->getId()] = serialize($this);
            self::$saves[$this->getId()] = (self::$saves[$this->getId()] ?? 0) + 1;
            $statusChanged = !$isNew && ($savedStatus ?? null) !== $this->fields['STATUS_ID'];
            (new Event('sale', 'OnSaleOrderSaved', ['ENTITY' => $this, 'IS_NEW' => $isNew]))->send();
            // OrderBase::save(): callEventOnSaleOrderSaved(), then callDelayedEvents() — the
            // status change sits in EventsPool and is sent after OnSaleOrderSaved.
            if ($statusChanged) {
                (new Event('sale', 'OnSaleStatusOrderChange', [
                    'ENTITY' => $this, 'VALUE' => $this->fields['STATUS_ID'], 'OLD_VALUE' => $savedStatus,
                ]))->send();
            }

            return $result;
        }

        public function __serialize(): array
        {
            return get_object_vars($this);
        }

        public function __unserialize(array $data): void
        {
            foreach ($data as $key => $value) {
                $this->{$key} = $value;
            }
            // Object ids change on a reload: what was saved is the baseline.
            $this->savedAllowDelivery = [];
            foreach ($this->shipments as $shipment) {
                $this->savedAllowDelivery[spl_object_id($shipment)] = (string) $shipment->getField('ALLOW_DELIVERY');
            }
        }
    }

    /** @internal id assignment for new entities on save */
    trait Entities
    {
        /** @var list<object> */
        protected array $items = [];

        public function getIterator(): \ArrayIterator
        {
            return new \ArrayIterator($this->items);
        }

        public function count(): int
        {
            return count($this->items);
        }

        public function getItemById($id): mixed
        {
            foreach ($this->items as $item) {
                if ($item->getId() === (int) $id) {
                    return $item;
                }
            }

            return null;
        }

        public function assignIds(): void
        {
            foreach ($this->items as $item) {
                if ($item->getId() === 0) {
                    $item->setField('ID', ++Order::$nextId);
                }
            }
        }

        public function remove(object $item): void
        {
            $this->items = array_values(array_filter($this->items, static fn (object $i): bool => $i !== $item));
        }
    }

    class Basket implements \IteratorAggregate, \Countable
    {
        use Entities;

        public function __construct(private Order $order)
        {
        }

        public function getOrder(): Order
        {
            return $this->order;
        }

        public function add(BasketItem $item): BasketItem
        {
            $this->items[] = $item;
            $item->attach($this);

            return $item;
        }
    }

    class BasketItem
    {
        use Fields {
            setField as private storeField;
        }

        private ?Basket $basket = null;

        public function __construct(array $fields)
        {
            $this->fields = $fields + ['ID' => 0, 'QUANTITY' => 1, 'PRICE' => 0.0, 'WEIGHT' => 0, 'NAME' => '', 'PRODUCT_ID' => 0, 'PRODUCT_XML_ID' => '', 'CAN_BUY' => 'Y'];
        }

        public function attach(Basket $basket): void
        {
            $this->basket = $basket;
        }

        public function getProductId(): int
        {
            return (int) $this->fields['PRODUCT_ID'];
        }

        public function getQuantity(): float
        {
            return (float) $this->fields['QUANTITY'];
        }

        public function getPrice(): float
        {
            return (float) $this->fields['PRICE'];
        }

        public function getWeight(): float
        {
            return (float) $this->fields['WEIGHT'];
        }

        public function isBundleChild(): bool
        {
            return false;
        }

        public function canBuy(): bool
        {
            return $this->fields['CAN_BUY'] === 'Y';
        }

        public function setField($name, $value): Result
        {
            if ($name === 'QUANTITY' && $this->basket !== null) {
                $held = $this->basket->getOrder()->getShipmentCollection()->heldQuantity($this);
                if ((float) $value + 1e-9 < $held) {
                    return (new Result())->addError(new Error('Basket quantity below what shipments hold: move the goods out of the shipment first'));
                }
            }

            return $this->storeField($name, $value);
        }

        public function delete(): Result
        {
            if ($this->basket !== null && $this->basket->getOrder()->getShipmentCollection()->heldQuantity($this) > 0) {
                return (new Result())->addError(new Error('A shipment still holds this basket line'));
            }
            $this->basket?->remove($this);

            return new Result();
        }
    }

    class ShipmentCollection implements \IteratorAggregate, \Countable
    {
        use Entities;

        public function __construct(private Order $order)
        {
        }

        public function getOrder(): Order
        {
            return $this->order;
        }

        public function add(Shipment $shipment): Shipment
        {
            $this->items[] = $shipment;
            $shipment->attach($this);

            return $shipment;
        }

        public function heldQuantity(BasketItem $basketItem): float
        {
            $held = 0.0;
            foreach ($this->items as $shipment) {
                foreach ($shipment->getShipmentItemCollection() as $item) {
                    if ($item->getBasketItem() === $basketItem) {
                        $held += $item->getQuantity();
                    }
                }
            }

            return $held;
        }
    }

    class Shipment
    {
        use Fields {
            setField as private storeField;
        }

        private ?ShipmentCollection $collection = null;
        private ShipmentItemCollection $items;

        public function __construct(array $fields = [])
        {
            $this->fields = $fields + [
                'ID' => 0, 'DELIVERY_ID' => 0, 'STATUS_ID' => 'DN', 'ALLOW_DELIVERY' => 'N', 'DEDUCTED' => 'N',
                'TRACKING_NUMBER' => '', 'DELIVERY_DOC_NUM' => '', 'MARKED' => 'N', 'REASON_MARKED' => '',
                'COMMENTS' => '', 'PRICE_DELIVERY' => 0.0, 'BASE_PRICE_DELIVERY' => 0.0, 'CURRENCY' => 'RUB',
                'WEIGHT' => 0, 'SYSTEM' => 'N',
            ];
            $this->items = new ShipmentItemCollection($this);
        }

        public function attach(ShipmentCollection $collection): void
        {
            $this->collection = $collection;
        }

        public function getCollection(): ?ShipmentCollection
        {
            return $this->collection;
        }

        public function getShipmentItemCollection(): ShipmentItemCollection
        {
            return $this->items;
        }

        public function getDeliveryId(): int
        {
            return (int) $this->fields['DELIVERY_ID'];
        }

        public function getWeight(): float
        {
            return (float) $this->fields['WEIGHT'];
        }

        public function getCurrency(): string
        {
            return (string) $this->fields['CURRENCY'];
        }

        public function getPrice(): float
        {
            return (float) $this->fields['PRICE_DELIVERY'];
        }

        public function isSystem(): bool
        {
            return $this->fields['SYSTEM'] === 'Y';
        }

        public function isAllowDelivery(): bool
        {
            return $this->fields['ALLOW_DELIVERY'] === 'Y';
        }

        public function isShipped(): bool
        {
            return $this->fields['DEDUCTED'] === 'Y';
        }

        public function getExtraServices(): array
        {
            return [];
        }

        public function setField($name, $value): Result
        {
            return $this->storeField($name, $value);
        }
    }

    class ShipmentItemCollection implements \IteratorAggregate, \Countable
    {
        use Entities;

        public function __construct(private Shipment $shipment)
        {
        }

        public function getShipment(): Shipment
        {
            return $this->shipment;
        }

        public function add(BasketItem $item, float $quantity): ShipmentItem
        {
            $shipmentItem = new ShipmentItem($this, $item, $quantity);
            $this->items[] = $shipmentItem;

            return $shipmentItem;
        }
    }

    class ShipmentItem
    {
        use Fields;

        public function __construct(private ShipmentItemCollection $collection, private BasketItem $basketItem, float $quantity)
        {
            $this->fields = ['ID' => 0, 'QUANTITY' => $quantity];
        }

        public function getBasketItem(): ?BasketItem
        {
            return $this->basketItem;
        }

        public function getBasketId(): int
        {
            return $this->basketItem->getId();
        }

        public function getQuantity(): float
        {
            return (float) $this->fields['QUANTITY'];
        }

        public function setQuantity($quantity): Result
        {
            if ($this->collection->getShipment()->isShipped()) {
                return (new Result())->addError(new Error('The shipment is deducted: its goods cannot change'));
            }
            $this->fields['QUANTITY'] = (float) $quantity;

            return new Result();
        }

        public function delete(): Result
        {
            if ($this->collection->getShipment()->isShipped()) {
                return (new Result())->addError(new Error('The shipment is deducted: its goods cannot change'));
            }
            $this->collection->remove($this);

            return new Result();
        }
    }

    class PropertyValue
    {
        public function __construct(public string $code, public mixed $value, public array $flags = [])
        {
        }

        public function getValue(): mixed
        {
            return $this->value;
        }

        public function setValue($value): Result
        {
            $this->value = $value;

            return new Result();
        }
    }

    class PropertyValueCollection implements \IteratorAggregate
    {
        /** @var list<PropertyValue> */
        private array $values = [];

        public function getIterator(): \ArrayIterator
        {
            return new \ArrayIterator($this->values);
        }

        public function add(string $code, mixed $value, string $flag = ''): PropertyValue
        {
            return $this->values[] = new PropertyValue($code, $value, $flag !== '' ? [$flag => true] : []);
        }

        public function getItemByOrderPropertyCode($code): ?PropertyValue
        {
            foreach ($this->values as $value) {
                if ($value->code === $code) {
                    return $value;
                }
            }

            return null;
        }

        public function getDeliveryLocation(): ?PropertyValue
        {
            return $this->flagged('IS_LOCATION');
        }

        public function getDeliveryLocationZip(): ?PropertyValue
        {
            return $this->flagged('IS_ZIP');
        }

        public function getAddress(): ?PropertyValue
        {
            return $this->flagged('IS_ADDRESS');
        }

        public function getPhone(): ?PropertyValue
        {
            return $this->flagged('IS_PHONE');
        }

        public function getPayerName(): ?PropertyValue
        {
            return $this->flagged('IS_PAYER');
        }

        public function getUserEmail(): ?PropertyValue
        {
            return $this->flagged('IS_EMAIL');
        }

        private function flagged(string $flag): ?PropertyValue
        {
            foreach ($this->values as $value) {
                if (!empty($value->flags[$flag])) {
                    return $value;
                }
            }

            return null;
        }
    }

    class PaymentCollection implements \IteratorAggregate, \Countable
    {
        use Entities;

        public function __construct(private Order $order)
        {
        }

        public function add(Payment $payment): Payment
        {
            $this->items[] = $payment;

            return $payment;
        }

        public function getPaidSum(): float
        {
            $sum = 0.0;
            foreach ($this->items as $payment) {
                if ($payment->isPaid()) {
                    $sum += $payment->getSum();
                }
            }

            return $sum;
        }
    }

    class Payment
    {
        use Fields;

        public function __construct(array $fields, private ?PaySystem\Service $service = null)
        {
            $this->fields = $fields + ['ID' => 0, 'PAY_SYSTEM_ID' => 0, 'PAY_SYSTEM_NAME' => '', 'SUM' => 0.0, 'PAID' => 'N'];
        }

        public function getPaymentSystemId(): int
        {
            return (int) $this->fields['PAY_SYSTEM_ID'];
        }

        public function getPaymentSystemName(): string
        {
            return (string) $this->fields['PAY_SYSTEM_NAME'];
        }

        public function getSum(): float
        {
            return (float) $this->fields['SUM'];
        }

        public function isPaid(): bool
        {
            return $this->fields['PAID'] === 'Y';
        }

        public function getPaySystem(): ?PaySystem\Service
        {
            return $this->service;
        }
    }

    class StatusBase
    {
        /** @var array<string, string> */
        public static array $statuses = [];

        public static function getAllStatuses(): array
        {
            return static::$statuses;
        }
    }

    class OrderStatus extends StatusBase
    {
        public static array $statuses = ['N' => 'N', 'P' => 'P', 'F' => 'F'];
    }

    class DeliveryStatus extends StatusBase
    {
        public static array $statuses = ['DN' => 'DN', 'DD' => 'DD', 'DF' => 'DF', 'OS' => 'OS', 'OT' => 'OT'];
    }
}

namespace Bitrix\Sale\PaySystem {
    use Bitrix\Main\Error;
    use Bitrix\Sale\Payment;
    use Bitrix\Sale\Result;

    /**
     * A pay system: refundable (IRefund) or not. refund() as in sale/lib/paysystem/service.php: an
     * unpaid payment is refused, 0 means the whole sum, then the handler answers. Every call to
     * the handler lands in $attempts, every refund that moved money in $refunds.
     */
    class Service
    {
        /** @var list<array{paymentId: int, sum: float}> */
        public static array $refunds = [];
        /** @var list<array{paymentId: int, sum: float}> */
        public static array $attempts = [];

        /**
         * @param string $failure the handler answers this error (the gateway declined)
         * @param string $throws the handler throws this (a timeout: whether money moved is unknown)
         */
        public function __construct(private bool $refundable = false, private string $failure = '', private string $throws = '')
        {
        }

        public function isRefundable(): bool
        {
            return $this->refundable;
        }

        public function refund(Payment $payment, $refundableSum = 0): Result
        {
            if (!$this->refundable) {
                throw new \Bitrix\Main\SystemException();
            }
            $result = new Result();
            if (!$payment->isPaid()) {
                return $result->addError(new Error('SALE_PS_SERVICE_PAYMENT_NOT_PAID'));
            }
            if ($refundableSum == 0) {
                $refundableSum = $payment->getSum();
            }
            self::$attempts[] = ['paymentId' => $payment->getId(), 'sum' => (float) $refundableSum];
            if ($this->throws !== '') {
                throw new \RuntimeException($this->throws);
            }
            if ($this->failure !== '') {
                return $result->addError(new Error($this->failure));
            }
            self::$refunds[] = ['paymentId' => $payment->getId(), 'sum' => (float) $refundableSum];

            return $result;
        }
    }
}

namespace Bitrix\Sale\Internals {
    use Bitrix\Sale;
    use Bitrix\Sale\Order;

    /**
     * The inner-account queue, as in sale/lib/internals/userbudgetpool.php: addPoolItem() queues a
     * credit per user, Order::save() applies it through CSaleUserAccount::UpdateAccount(). When
     * another process holds the user's budget lock, add() silently queues nothing (real GET_LOCK).
     */
    class UserBudgetPool
    {
        public const BUDGET_TYPE_ORDER_CANCEL_PART = 'ORDER_CANCEL_PART';
        public const BUDGET_TYPE_ORDER_UNPAY = 'ORDER_UNPAY';
        public const BUDGET_TYPE_ORDER_PART_RETURN = 'ORDER_PART_RETURN';
        public const BUDGET_TYPE_OUT_CHARGE_OFF = 'OUT_CHARGE_OFF';
        public const BUDGET_TYPE_EXCESS_SUM_PAID = 'EXCESS_SUM_PAID';
        public const BUDGET_TYPE_MANUAL = 'MANUAL';
        public const BUDGET_TYPE_ORDER_PAY = 'ORDER_PAY';
        public const BUDGET_TYPE_ORDER_PAY_PART = 'ORDER_PAY_PART';

        /** Test knob: GET_LOCK('user_budget_<id>') fails, as when another process holds it. */
        public static bool $lockedElsewhere = false;

        protected static $userBudgetPool = [];
        protected $items = [];

        protected function __construct(private $userId)
        {
        }

        public static function reset(): void
        {
            static::$userBudgetPool = [];
            self::$lockedElsewhere = false;
        }

        public function add($sum, $budgetType, Sale\Order $order, Sale\Payment $payment = null)
        {
            if (self::$lockedElsewhere) {
                return;
            }
            $fields = ['SUM' => $sum, 'CURRENCY' => $order->getCurrency(), 'TYPE' => $budgetType, 'ORDER' => $order];
            if ($payment !== null) {
                $fields['PAYMENT'] = $payment;
            }
            $this->items[] = $fields;
        }

        public function get()
        {
            return $this->items;
        }

        public function delete($index)
        {
            if (isset($this->items[$index])) {
                unset($this->items[$index]);

                return true;
            }

            return false;
        }

        public static function getUserBudgetPool($userId)
        {
            return static::$userBudgetPool[$userId] ??= new static($userId);
        }

        public static function addPoolItem(Sale\Order $order, $value, $type, Sale\Payment $payment = null)
        {
            if ((float) $value == 0) {
                return;
            }
            static::getUserBudgetPool($order->getUserId())->add($value, $type, $order, $payment);
        }

        public static function onUserBudgetSave($userId)
        {
            $result = new Sale\Result();
            if (self::$lockedElsewhere) {
                return $result->addError(new \Bitrix\Main\Error('SALE_PROVIDER_USER_BUDGET_LOCKED'));
            }
            $pool = static::getUserBudgetPool($userId);
            foreach ($pool->get() as $key => $item) {
                $orderId = isset($item['ORDER']) ? $item['ORDER']->getId() : null;
                $paymentId = isset($item['PAYMENT']) ? $item['PAYMENT']->getId() : null;
                if (!\CSaleUserAccount::UpdateAccount($userId, $item['SUM'], $item['CURRENCY'], $item['TYPE'], $orderId, '', $paymentId)) {
                    $result->addError(new \Bitrix\Main\Error('SALE_PROVIDER_USER_BUDGET_' . $item['TYPE'] . '_ERROR'));
                }
                $pool->delete($key);
            }

            return $result;
        }
    }

    class ShipmentTable
    {
        public static function getById($id): object
        {
            $orderId = Order::$shipmentIndex[(int) $id] ?? null;

            return new class ($orderId === null ? false : ['ID' => (int) $id, 'ORDER_ID' => $orderId]) {
                public function __construct(private array|false $row)
                {
                }

                public function fetch(): array|false
                {
                    return $this->row;
                }
            };
        }
    }
}

namespace Bitrix\Sale\Delivery {
    class CalculationResult extends \Bitrix\Sale\Result
    {
        public const PERIOD_TYPE_MIN = 'MIN';
        public const PERIOD_TYPE_HOUR = 'H';
        public const PERIOD_TYPE_DAY = 'D';
        public const PERIOD_TYPE_MONTH = 'M';

        protected $description = '';
        protected $periodDescription = '';
        protected $periodFrom = null;
        protected $periodTo = null;
        protected $periodType = self::PERIOD_TYPE_DAY;
        protected $deliveryPrice = 0;
        protected $extraServicesPrice = 0;

        public function getDeliveryPrice() { return $this->deliveryPrice; }
        public function setDeliveryPrice($price) { $this->deliveryPrice = $price; }
        public function getExtraServicesPrice() { return $this->extraServicesPrice; }
        public function setExtraServicesPrice($price) { $this->extraServicesPrice = $price; }
        public function getPrice() { return $this->deliveryPrice + $this->extraServicesPrice; }
        public function setDescription($description) { $this->description = $description; }
        public function getDescription() { return $this->description; }
        public function setPeriodDescription($description) { $this->periodDescription = $description; }
        public function getPeriodDescription() { return $this->periodDescription; }
        public function getPeriodFrom() { return $this->periodFrom; }
        public function setPeriodFrom($periodFrom) { $this->periodFrom = intval($periodFrom); }
        public function getPeriodTo() { return $this->periodTo; }
        public function setPeriodTo($periodTo) { $this->periodTo = intval($periodTo); }
        public function getPeriodType() { return $this->periodType; }
        public function setPeriodType($periodType)
        {
            if (in_array($periodType, [self::PERIOD_TYPE_DAY, self::PERIOD_TYPE_HOUR, self::PERIOD_TYPE_MIN, self::PERIOD_TYPE_MONTH], true)) {
                $this->periodType = $periodType;
            }
        }
    }
}

namespace Bitrix\Sale\Delivery\Services {
    use Bitrix\Main\Error;
    use Bitrix\Sale\Delivery\CalculationResult;
    use Bitrix\Sale\Result;
    use Bitrix\Sale\Shipment;

    /** The current core's Base, reduced: same properties and method signatures the module overrides. */
    abstract class Base
    {
        protected $handlerCode = 'UNDEFINED';
        protected $id = 0;
        protected $name = '';
        protected $code = '';
        protected $sort = 100;
        protected $parentId = 0;
        protected $currency = '';
        protected $active = false;
        protected $description = '';
        protected $config = [];

        protected static $isProfile = false;
        protected static $canHasProfiles = false;
        protected static $isCalculatePriceImmediately = false;
        protected static $whetherAdminExtraServicesShow = false;

        public function __construct(array $initParams)
        {
            $this->parentId = $initParams['PARENT_ID'] ?? 0;
            $this->active = ($initParams['ACTIVE'] ?? 'N') === 'Y';
            $this->name = $initParams['NAME'] ?? '';
            $this->config = is_array($initParams['CONFIG'] ?? null) ? $initParams['CONFIG'] : [];
            $this->id = $initParams['ID'] ?? 0;
            $this->currency = $initParams['CURRENCY'] ?? '';
        }

        public function calculate(Shipment $shipment = null, $extraServices = [])
        {
            if ($shipment && !$shipment->getCollection()) {
                return (new CalculationResult())->addError(new Error('empty shipment'));
            }

            return $this->calculateConcrete($shipment);
        }

        public static function getClassTitle() { return ''; }
        public static function getClassDescription() { return ''; }

        protected function calculateConcrete(Shipment $shipment)
        {
            return (new CalculationResult())->addError(new Error('not implemented', 'DELIVERY_CALCULATION'));
        }

        protected function getConfigStructure() { return []; }
        public function getConfigValues() { return $this->config; }

        public function getConfig()
        {
            return $this->getConfigStructure();
        }

        public static function canHasChildren() { return false; }
        public static function canHasProfiles() { return self::$canHasProfiles; }
        public static function getChildrenClassNames() { return []; }
        public function getId() { return $this->id; }
        public function getName() { return $this->name; }
        public function getParentId() { return $this->parentId; }

        public function getParentService()
        {
            return (int) $this->parentId > 0 ? Manager::getObjectById($this->parentId) : null;
        }

        public static function onBeforeAdd(array &$fields = []): \Bitrix\Main\Result { return new \Bitrix\Main\Result(); }
        public static function onAfterAdd($serviceId, array $fields = []) { return true; }
        public static function onBeforeUpdate($serviceId, array &$fields = []) { return true; }
        public static function onAfterUpdate($serviceId, array $fields = []) { return true; }
        public static function onAfterDelete($serviceId) { return true; }
        public function isCompatible(Shipment $shipment) { return true; }
        public function getProfilesList() { return []; }
        public static function isProfile() { return self::$isProfile; }
        protected function getProfileType(): string { return ''; }
        public function isCalculatePriceImmediately() { return self::$isCalculatePriceImmediately; }
        public function getAdminMessage() { return []; }
        public function getAdditionalInfoShipmentEdit(Shipment $shipment) { return []; }
        public function processAdditionalInfoShipmentEdit(Shipment $shipment, array $requestData) { return $shipment; }
        public function getAdditionalInfoShipmentView(Shipment $shipment) { return []; }
    }

    /** The delivery services "table": add() calls onAfterAdd as Bitrix does. */
    class Manager
    {
        /** @var array<int, array<string, mixed>> */
        public static array $services = [];
        public static int $nextId = 10;

        public static function reset(): void
        {
            self::$services = [];
        }

        public static function add(array $fields): Result
        {
            $id = ++self::$nextId;
            $fields['ID'] = $id;
            self::$services[$id] = $fields;
            $class = ltrim((string) $fields['CLASS_NAME'], '\\');
            $class::onAfterAdd($id, $fields);
            $result = new Result();
            $result->setId($id);

            return $result;
        }

        public static function update($id, array $fields): Result
        {
            self::$services[(int) $id] = $fields + (self::$services[(int) $id] ?? []);
            $class = ltrim((string) self::$services[(int) $id]['CLASS_NAME'], '\\');
            $class::onAfterUpdate((int) $id, $fields);

            return new Result();
        }

        public static function getById($id): ?array
        {
            return self::$services[(int) $id] ?? null;
        }

        public static function getObjectById($id): ?Base
        {
            $fields = self::$services[(int) $id] ?? null;
            if ($fields === null) {
                return null;
            }
            $class = ltrim((string) $fields['CLASS_NAME'], '\\');

            return new $class($fields);
        }

        public static function getActiveList(): array
        {
            return array_filter(self::$services, static fn (array $s): bool => ($s['ACTIVE'] ?? 'N') === 'Y');
        }

        public static function getList(array $params = []): object
        {
            $classes = (array) ($params['filter']['=CLASS_NAME'] ?? []);
            $rows = array_values(array_filter(
                self::$services,
                static fn (array $s): bool => $classes === [] || in_array($s['CLASS_NAME'], $classes, true),
            ));

            return new class ($rows) {
                public function __construct(private array $rows)
                {
                }

                public function fetch(): array|false
                {
                    return array_shift($this->rows) ?? false;
                }
            };
        }
    }
}
