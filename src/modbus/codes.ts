/** The Modbus function-code table lives in the model layer so design rules can use it; re-exported here for the Modbus modules. */
export * from '../model/modbus-codes.ts';
