/**
 * An application's configuration in the AWS shapes of `kinesisanalytics-2015-08-14.json` (CreateApplication's
 * Inputs, Outputs, ReferenceDataSources), so users paste what they have. Only the members Sluice reads are typed;
 * others (RoleARN, CloudWatch options) are accepted and ignored.
 */
import type { ApplicationConfig } from '../sql/catalog.js';

export interface RecordColumnShape {
  Name: string;
  SqlType: string;
  Mapping?: string;
}

export interface RecordFormatShape {
  RecordFormatType: 'JSON' | 'CSV';
  MappingParameters?: {
    JSONMappingParameters?: { RecordRowPath: string };
    CSVMappingParameters?: { RecordRowDelimiter: string; RecordColumnDelimiter: string };
  };
}

export interface SourceSchemaShape {
  RecordFormat: RecordFormatShape;
  RecordEncoding?: string;
  RecordColumns: RecordColumnShape[];
}

export interface InputShape {
  NamePrefix: string;
  KinesisStreamsInput?: { ResourceARN: string; RoleARN?: string };
  KinesisFirehoseInput?: { ResourceARN: string; RoleARN?: string };
  InputProcessingConfiguration?: { InputLambdaProcessor: { ResourceARN: string; RoleARN?: string } };
  InputParallelism?: { Count?: number };
  InputSchema: SourceSchemaShape;
}

export interface OutputShape {
  Name: string;
  KinesisStreamsOutput?: { ResourceARN: string; RoleARN?: string };
  KinesisFirehoseOutput?: { ResourceARN: string; RoleARN?: string };
  LambdaOutput?: { ResourceARN: string; RoleARN?: string };
  DestinationSchema: { RecordFormatType: 'JSON' | 'CSV' };
}

export interface ReferenceDataSourceShape {
  TableName: string;
  S3ReferenceDataSource?: { BucketARN: string; FileKey: string; ReferenceRoleARN?: string };
  ReferenceSchema: SourceSchemaShape;
}

/** CreateApplication's request members an application needs (ApplicationCode is the SQL). */
export interface ApplicationShape extends ApplicationConfig {
  ApplicationName?: string;
  ApplicationCode?: string;
  Inputs?: InputShape[];
  Outputs?: OutputShape[];
  ReferenceDataSources?: ReferenceDataSourceShape[];
}
