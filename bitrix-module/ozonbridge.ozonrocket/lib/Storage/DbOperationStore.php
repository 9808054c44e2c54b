<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Storage;

use Bitrix\Main\Application;
use Bitrix\Main\DB\SqlQueryException;
use OzonBridge\OzonRocket\Module;

/** b_ozonrocket_operation: plain SQL that MySQL and PostgreSQL both take. */
final class DbOperationStore implements OperationStore
{
    private const TABLE = Module::OPERATION_TABLE;

    public static function createTable(): void
    {
        $connection = Application::getConnection();
        if ($connection->isTableExists(self::TABLE)) {
            return;
        }
        $connection->queryExecute(
            'CREATE TABLE ' . self::TABLE . ' ('
            . 'OPERATION_ID varchar(100) NOT NULL, '
            . 'ORDER_ID int NOT NULL, '
            . 'STAGE varchar(20) NOT NULL, '
            . 'ANSWER text NULL, '
            . 'CREATED_AT int NOT NULL, '
            . 'UPDATED_AT int NOT NULL, '
            . 'PRIMARY KEY (OPERATION_ID))'
        );
    }

    public static function dropTable(): void
    {
        $connection = Application::getConnection();
        if ($connection->isTableExists(self::TABLE)) {
            $connection->queryExecute('DROP TABLE ' . self::TABLE);
        }
    }

    public function find(string $operationId): ?OperationRecord
    {
        $connection = Application::getConnection();
        $row = $connection->query(
            'SELECT OPERATION_ID, ORDER_ID, STAGE, ANSWER, UPDATED_AT FROM ' . self::TABLE
            . " WHERE OPERATION_ID = '" . $connection->getSqlHelper()->forSql($operationId) . "'"
        )->fetch();
        if (!is_array($row)) {
            return null;
        }
        $answer = json_decode((string) $row['ANSWER'], true);

        return new OperationRecord(
            (string) $row['OPERATION_ID'],
            (int) $row['ORDER_ID'],
            (string) $row['STAGE'],
            is_array($answer) ? $answer : [],
            (int) $row['UPDATED_AT'],
        );
    }

    public function start(string $operationId, int $orderId): bool
    {
        $connection = Application::getConnection();
        $now = time();
        try {
            $connection->queryExecute(
                'INSERT INTO ' . self::TABLE . ' (OPERATION_ID, ORDER_ID, STAGE, ANSWER, CREATED_AT, UPDATED_AT) VALUES ('
                . "'" . $connection->getSqlHelper()->forSql($operationId) . "', "
                . $orderId . ", '" . OperationRecord::APPLYING . "', NULL, " . $now . ', ' . $now . ')'
            );
        } catch (SqlQueryException) {
            return false; // the primary key: the id is taken
        }

        return true;
    }

    public function advance(string $operationId, string $stage, array $answer): void
    {
        $connection = Application::getConnection();
        $helper = $connection->getSqlHelper();
        $connection->queryExecute(
            'UPDATE ' . self::TABLE . " SET STAGE = '" . $helper->forSql($stage) . "', "
            . "ANSWER = '" . $helper->forSql((string) json_encode($answer, JSON_UNESCAPED_UNICODE)) . "', "
            . 'UPDATED_AT = ' . time()
            . " WHERE OPERATION_ID = '" . $helper->forSql($operationId) . "'"
        );
    }

    public function forget(string $operationId): void
    {
        $connection = Application::getConnection();
        $connection->queryExecute(
            'DELETE FROM ' . self::TABLE
            . " WHERE OPERATION_ID = '" . $connection->getSqlHelper()->forSql($operationId) . "'"
        );
    }
}
