/** Error types the bot reports to users and operators. */

/** A data or configuration file failed validation; carries the file and the field or line. */
export class DataError extends Error {
  /** Builds an error naming the file and location of the problem. */
  constructor(readonly file: string, readonly where: string, message: string) {
    super(`${file}: ${where}: ${message}`);
    this.name = 'DataError';
  }
}

/** The environment configuration is invalid. */
export class ConfigError extends Error {
  /** Builds an error listing the invalid variables. */
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
