<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Refund;

use Bitrix\Main\Type\Date;
use Bitrix\Sale\Payment;

/**
 * The refund as the payment shows it to managers: return number, date and comment
 * (PAY_RETURN_NUM/DATE/COMMENT). Not IS_RETURN: Payment::setReturn() would refund the whole
 * payment again. The number also tells a resumed call that this operation's save happened.
 */
final class ReturnRecord
{
    /** b_sale_order_payment.PAY_RETURN_NUM is varchar(20). */
    private const NUMBER_LENGTH = 20;

    private function __construct()
    {
    }

    public static function write(Payment $payment, string $operationId, string $reason): void
    {
        $payment->setField('PAY_RETURN_NUM', self::number($operationId));
        $payment->setField('PAY_RETURN_DATE', new Date());
        $payment->setField('PAY_RETURN_COMMENT', mb_substr($reason, 0, 255));
    }

    public static function isWritten(Payment $payment, string $operationId): bool
    {
        return (string) $payment->getField('PAY_RETURN_NUM') === self::number($operationId);
    }

    /** The operation id, or a short form of it that stays unique per operation. */
    public static function number(string $operationId): string
    {
        if (strlen($operationId) <= self::NUMBER_LENGTH) {
            return $operationId;
        }

        return substr($operationId, 0, self::NUMBER_LENGTH - 9) . '~' . substr(md5($operationId), 0, 8);
    }
}
