// ts-jest wants name/version/factory; this hands it the same Swagger plugin `nest build` runs.
const { before } = require('@nestjs/swagger/plugin');

const options = { classValidatorShim: true, introspectComments: true, dtoFileNameSuffix: ['.dto.ts'] };

module.exports = {
  name: 'nestjs-swagger-transformer',
  version: 1,
  factory: (compiler) => before(options, compiler.program),
};
